import Datagrams
import FuzzDriver

/// udp-recv --numbered: every line of the input is one received datagram. What the parser
/// accepts is a numbering (1 ≤ I ≤ N) that reads back from its own prefix, and the tracker's
/// counts add up to the datagrams it was given, with the missing ranges inside 1...total.
runFuzzer { data, size in
    let datagrams = UnsafeBufferPointer(start: data, count: size).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    var tracker = SequenceTracker()
    for payload in datagrams {
        if let (number, total) = Numbering.read(payload) {
            precondition(number >= 1 && number <= total, "#\(number)/\(total) accepted")
            precondition(Numbering.read(Numbering.prefix(number, of: total))! == (number, total), "#\(number)/\(total) does not read back")
        }
        tracker.record(payload)
    }
    precondition(tracker.received + tracker.duplicates + tracker.unnumbered + tracker.conflicting == datagrams.count,
                 "\(tracker) does not add up to \(datagrams.count) datagrams")
    let missing = tracker.missing
    precondition(missing.reduce(0) { $0 + $1.count } == tracker.missingCount, "missing ranges \(missing) vs \(tracker.missingCount)")
    precondition(missing.allSatisfy { $0.lowerBound >= 1 && $0.upperBound <= tracker.total }, "missing \(missing) outside 1...\(tracker.total)")
    _ = SequenceTracker.describe(missing)
    return 0
}
