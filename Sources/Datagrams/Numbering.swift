/// `udp-send --numbered` and `udp-recv --numbered`: each datagram's payload starts with
/// `#I/N ` (its number, 1-based, and how many were sent), so the receiver can say which ones
/// never arrived, which came out of order, and which came twice: the three things UDP does not
/// promise. Pure: bytes in, values out.
public enum Numbering {
    /// The prefix of datagram `number` of `total`.
    public static func prefix(_ number: Int, of total: Int) -> [UInt8] {
        Array("#\(number)/\(total) ".utf8)
    }

    /// `#I/N` at the start of `payload`, when it is there and 1 ≤ I ≤ N (a total of 0 numbers
    /// nothing: such a datagram is unnumbered).
    public static func read<Bytes: Collection<UInt8>>(_ payload: Bytes) -> (number: Int, total: Int)? {
        var index = payload.startIndex
        guard index != payload.endIndex, payload[index] == UInt8(ascii: "#") else { return nil }
        index = payload.index(after: index)
        func digits() -> Int? {
            var value = 0, count = 0
            while index != payload.endIndex, case let byte = payload[index], (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                guard count < 9 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                count += 1
                index = payload.index(after: index)
            }
            return count > 0 ? value : nil
        }
        guard let number = digits(), index != payload.endIndex, payload[index] == UInt8(ascii: "/") else { return nil }
        index = payload.index(after: index)
        // Compared, not `(1...total).contains`: a range from a received total of 0 would trap.
        guard let total = digits(), number >= 1, number <= total else { return nil }
        return (number, total)
    }
}

/// What the receiver made of the numbers it saw.
public struct SequenceTracker: Sendable {
    /// The most numbers tracked: a sender's claim of more is not believed (memory stays bounded).
    public static let limit = 10_000_000

    /// The run's size: the total the first numbered datagram announced, 0 before any. It is never
    /// changed afterwards, so one stray or forged `#2/1000000` cannot turn a run of 5 into
    /// 999,995 missing datagrams.
    public private(set) var total = 0
    /// Numbered datagrams that announced another total than the first one (another run, or a
    /// forgery): counted here and nowhere else.
    public private(set) var conflicting = 0
    public private(set) var received = 0
    public private(set) var duplicates = 0
    /// Arrived after a higher number had already arrived.
    public private(set) var outOfOrder = 0
    /// Datagrams without a readable `#I/N ` prefix.
    public private(set) var unnumbered = 0
    private var seen: [UInt64] = []
    private var highest = 0

    public init() {}

    public mutating func record<Bytes: Collection<UInt8>>(_ payload: Bytes) {
        guard let (number, claimed) = Numbering.read(payload), claimed <= Self.limit else {
            unnumbered += 1
            return
        }
        if total == 0 {
            total = claimed
            seen = [UInt64](repeating: 0, count: (claimed + 63) / 64)
        }
        guard claimed == total else {
            conflicting += 1
            return
        }
        let (word, bit) = ((number - 1) / 64, UInt64(1) << ((number - 1) % 64))
        if seen[word] & bit != 0 {
            duplicates += 1
            return
        }
        seen[word] |= bit
        received += 1
        if number < highest { outOfOrder += 1 }
        highest = max(highest, number)
    }

    /// The numbers of 1...total that never arrived, as closed ranges in order.
    public var missing: [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        var start: Int?
        var number = 1
        while number <= total {
            let word = seen[(number - 1) / 64]
            // A whole word of 64 numbers all arrived or all missing is taken at once: a claimed
            // total of ten million is 156,250 words, not ten million bits (the fuzzer timed out on it).
            let whole = (number - 1) % 64 == 0 && number + 63 <= total && (word == 0 || word == .max)
            let arrived = whole ? word == .max : word & (UInt64(1) << ((number - 1) % 64)) != 0
            if !arrived && start == nil { start = number }
            if arrived, let first = start {
                ranges.append(first...(number - 1))
                start = nil
            }
            number += whole ? 64 : 1
        }
        if let start { ranges.append(start...total) }
        return ranges
    }

    public var missingCount: Int { total - received }

    /// `3, 17-18, 40` (at most `limit` ranges, then how many more).
    public static func describe(_ ranges: [ClosedRange<Int>], limit: Int = 20) -> String {
        let shown = ranges.prefix(limit).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
        return shown.joined(separator: ", ") + (ranges.count > limit ? ", … (\(ranges.count - limit) more ranges)" : "")
    }
}
