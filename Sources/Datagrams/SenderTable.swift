import Endpoints
import Rendering

/// The senders udp-recv has heard from, at most `limit` of them (`--table-limit`): past it the
/// least recently seen is forgotten, as capture's neighbour table does
/// (Neighbors/NeighborWatch.swift), so a flood of spoofed source addresses cannot grow memory
/// without bound. Before, every sender was kept for the whole run (400,000 spoofed sources:
/// 25.8 → 61.0 MB).
public struct SenderTable: Sendable {
    /// Far more senders than a real run has; a few megabytes at most.
    public static let defaultLimit = 65_536

    public let limit: Int
    /// Senders added to the table: the distinct senders while nothing was evicted; a forgotten
    /// sender that comes back counts again.
    public private(set) var added = 0
    public private(set) var evicted = 0
    /// Each sender with the number of the datagram that last came from it (a count that only grows).
    private var lastSeen: [Endpoint: Int] = [:]
    /// Senders in the order they were last queued, each with its datagram number then: the
    /// front is the least recently seen once senders seen since are queued again.
    private var age: [(sender: Endpoint, seen: Int)] = []
    private var ageStart = 0
    private var datagrams = 0

    public init(limit: Int = SenderTable.defaultLimit) {
        self.limit = max(1, limit)
    }

    public var count: Int { lastSeen.count }

    /// Notes a datagram from `sender`. Returns the sender forgotten to make room when this is
    /// the run's first eviction, the moment to say the table is full (once).
    public mutating func note(_ sender: Endpoint) -> Endpoint? {
        datagrams += 1
        if lastSeen.updateValue(datagrams, forKey: sender) != nil { return nil }
        added += 1
        // Evicted before the new sender is queued, so it is never the one dropped.
        let forgotten = lastSeen.count > limit ? evictOldest() : nil
        age.append((sender, datagrams))
        return evicted == 1 ? forgotten : nil
    }

    /// Drops the least recently seen sender (a sender seen again since it was queued goes to the
    /// back when the scan reaches it, the second-chance way NeighborWatch keeps its table).
    private mutating func evictOldest() -> Endpoint? {
        defer {
            // The queue's consumed front is dropped once it is most of the array.
            if ageStart > 4096 && ageStart * 2 > age.count {
                age.removeFirst(ageStart)
                ageStart = 0
            }
        }
        while ageStart < age.count {
            let (sender, seen) = age[ageStart]
            ageStart += 1
            guard let latest = lastSeen[sender] else { continue }
            if latest > seen {
                age.append((sender, latest))  // seen since it was queued: not the oldest
                continue
            }
            lastSeen[sender] = nil
            evicted += 1
            return sender
        }
        return nil
    }
}

/// The sender table reached its limit and forgot its first sender: said once per run (a flood
/// of spoofed source addresses looks like this).
public struct TableFull: Sendable, Equatable {
    public let limit: Int
    public let forgotten: Endpoint

    public var message: String {
        "sender table full at \(grouped(limit)) senders (--table-limit): the least recently seen are forgotten from now on, "
            + "starting with \(forgotten); a flood of spoofed senders looks like this"
    }
}
