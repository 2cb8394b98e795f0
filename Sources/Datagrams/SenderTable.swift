import Endpoints
import Rendering
import Tables

/// The senders udp-recv has heard from, at most `limit` of them (`--table-limit`): past it the
/// least recently seen is forgotten, as capture's neighbour table does
/// (Neighbors/NeighborWatch.swift), so a flood of spoofed source addresses cannot grow memory
/// without bound. Before, every sender was kept for the whole run (400,000 spoofed sources:
/// 25.8 → 61.0 MB).
public struct SenderTable: Sendable {
    /// Far more senders than a real run has; a few megabytes at most.
    public static let defaultLimit = 65_536

    private var table: RecencyTable<Endpoint, Endpoint>
    /// Senders added to the table: the distinct senders while nothing was evicted; a forgotten
    /// sender that comes back counts again.
    public private(set) var added = 0

    public init(limit: Int = SenderTable.defaultLimit) {
        table = RecencyTable(limit: max(1, limit))
    }

    public var limit: Int { table.limit }
    public var evicted: Int { table.evicted }
    public var count: Int { table.count }

    /// Notes a datagram from `sender`. Returns the sender forgotten to make room when this is
    /// the run's first eviction, the moment to say the table is full (once).
    public mutating func note(_ sender: Endpoint) -> Endpoint? {
        let known = table[sender] != nil
        let (_, forgotten) = table.update(sender, orInsert: { sender }) { _ in }
        if !known { added += 1 }
        return table.evicted == 1 ? forgotten : nil
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
