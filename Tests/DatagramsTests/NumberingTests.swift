import Testing
@testable import Datagrams

@Suite("Numbered datagrams: what UDP lost, reordered or repeated")
struct NumberingTests {
    @Test("the prefix is written and read back; anything else is not a number")
    func prefix() {
        #expect(Numbering.prefix(7, of: 1000) == Array("#7/1000 ".utf8))
        #expect(Numbering.read(Array("#7/1000 hello".utf8))! == (7, 1000))
        for text in ["", "#", "#/5", "#0/5", "#6/5", "#1/", "7/1000", "#1234567890/9999999999", "#a/5", "# 1/5"] {
            #expect(Numbering.read(Array(text.utf8)) == nil, "\(text)")
        }
    }

    @Test("missing, out of order, duplicates and unnumbered datagrams are told apart")
    func tracker() {
        var tracker = SequenceTracker()
        for number in [1, 2, 5, 4, 4, 9, 10] { tracker.record(Numbering.prefix(number, of: 10) + Array("x".utf8)) }
        tracker.record(Array("no number".utf8))
        #expect(tracker.total == 10 && tracker.received == 6 && tracker.missingCount == 4)
        #expect(tracker.missing == [3...3, 6...8])
        #expect(tracker.outOfOrder == 1 && tracker.duplicates == 1 && tracker.unnumbered == 1)
        #expect(SequenceTracker.describe(tracker.missing) == "3, 6-8")
        #expect(SequenceTracker.describe((1...30).map { ($0 * 3)...($0 * 3) }, limit: 2) == "3, 6, … (28 more ranges)")
    }

    @Test("a claimed total over the limit is not believed, so memory stays bounded")
    func boundedClaims() {
        var tracker = SequenceTracker()
        tracker.record(Array("#1/999999999 x".utf8))
        #expect(tracker.total == 0 && tracker.unnumbered == 1)
        #expect(SequenceTracker().missing.isEmpty)
    }

    @Test("--numbered puts a run's number on each datagram of the whole run")
    func plan() {
        let plan = PayloadPlan(payloads: [Array("a".utf8), Array("b".utf8)], repeats: 2).numbered()
        #expect(plan.payloads.map { String(decoding: $0, as: UTF8.self) } == ["#1/4 a", "#2/4 b", "#3/4 a", "#4/4 b"])
        #expect(plan.total == 4)
    }
}

@Suite("Numbered datagrams from a hostile or confused sender")
struct HostileNumberingTests {
    @Test("a total of 0 numbers nothing: such datagrams are unnumbered", arguments: ["#1/0 x", "#0/0", "#5/0", "#1/0"])
    func zeroTotal(text: String) {
        #expect(Numbering.read(Array(text.utf8)) == nil)
        var tracker = SequenceTracker()
        tracker.record(Array(text.utf8))
        #expect(tracker.unnumbered == 1 && tracker.total == 0 && tracker.missing.isEmpty)
    }

    @Test("the first total announced stays; another total is counted as conflicting, and shown in text and JSON")
    func firstTotalWins() throws {
        var tracker = SequenceTracker()
        for text in ["#1/5 a", "#2/1000000 x", "#3/5 c", "#1/2 y"] { tracker.record(Array(text.utf8)) }
        #expect(tracker.total == 5 && tracker.received == 2 && tracker.conflicting == 2)
        #expect(tracker.missingCount == 3 && tracker.missing == [2...2, 4...5])
        var summary = ReceiveSummary()
        summary.numbering = tracker
        #expect(DatagramReport.text(summary).contains("numbered: 2 of 5 arrived; missing 3: 2, 4-5; 2 announced a total other than 5"))
        #expect(String(decoding: DatagramReport.json(summary), as: UTF8.self).contains(#""unnumbered":0,"conflicting_total":2}"#))
    }
}

@Suite("Missing numbers of a large claimed total")
struct MissingRangesTests {
    /// What `missing` must equal: the runs of numbers not in `arrived`, found one by one.
    private func naive(_ arrived: Set<Int>, total: Int) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        var start: Int?
        for number in 1...total {
            if !arrived.contains(number) && start == nil { start = number }
            if arrived.contains(number), let first = start { ranges.append(first...(number - 1)); start = nil }
        }
        if let start { ranges.append(start...total) }
        return ranges
    }

    @Test("runs across and inside 64-number words are the same as counted one by one")
    func wordBoundaries() {
        var generator = SystemRandomNumberGenerator()
        for total in [1, 63, 64, 65, 127, 128, 129, 1000] {
            for _ in 0..<20 {
                let arrived = Set((1...total).filter { _ in Int.random(in: 0..<4, using: &generator) != 0 })
                    .union(Int.random(in: 0..<2, using: &generator) == 0 ? Set(1...min(total, 130)) : [])
                var tracker = SequenceTracker()
                for number in arrived.sorted() { tracker.record(Numbering.prefix(number, of: total)) }
                guard !arrived.isEmpty else { continue }
                #expect(tracker.missing == naive(arrived, total: total), "total \(total)")
            }
        }
    }

    @Test("the fuzzer's input: a total of 9,999,991 with two numbers arrived")
    func fuzzerTimeout() {
        var tracker = SequenceTracker()
        for text in ["#78/9999991/~ /", "2#13x000000 7", "#1/9999991 x", "#9999991/9999991 y"] { tracker.record(Array(text.utf8)) }
        #expect(tracker.total == 9_999_991 && tracker.received == 3)
        #expect(tracker.missing == [2...77, 79...9_999_990])
        #expect(tracker.missingCount == 9_999_988)
    }
}
