import Addresses
import Packets
import Tables

/// Every TCP connection a capture shows, each tracked from its segments (`TCPConnection`),
/// at most `limit` at once: past it the least recently seen is dropped and counted.
public struct TCPTracker {
    /// The two endpoints in a fixed order, so both directions find the same connection.
    struct Key: Hashable {
        var low: TCPEndpoint
        var high: TCPEndpoint

        init(_ a: TCPEndpoint, _ b: TCPEndpoint) {
            if (a.address, a.port) < (b.address, b.port) { (low, high) = (a, b) } else { (low, high) = (b, a) }
        }
    }

    public static let defaultLimit = 65_536
    private var table: RecencyTable<Key, TCPConnection>
    /// Connections that ended or were dropped, for the summary, oldest first (at most `limit`).
    public private(set) var finished: [TCPConnection] = []
    private var nextID = 1
    /// Sequence numbers as on the wire instead of relative to each side's first.
    public let absolute: Bool

    public init(limit: Int = defaultLimit, absolute: Bool = false) {
        table = RecencyTable(limit: limit)
        self.absolute = absolute
    }

    public var evicted: Int { table.evicted }
    public var limit: Int { table.limit }
    public var open: Int { table.count }

    /// Every connection seen and still held, in the order each was first seen.
    public var connections: [TCPConnection] { (finished + table.values).sorted { $0.id < $1.id } }

    /// Tracks one segment sent from `source` to `destination` at `time` (seconds).
    public mutating func observe(_ segment: TCPSegment, source: IPAddress, destination: IPAddress, time: Double) -> TCPObservation {
        let from = TCPEndpoint(address: source, port: segment.sourcePort)
        let to = TCPEndpoint(address: destination, port: segment.destinationPort)
        let key = Key(from, to)
        if segment.flags.contains(.syn), !segment.flags.contains(.ack), let old = table[key], old.isReplacedBy(segment) {
            keep(old)
            table.remove(key)
        }
        let (id, absolute) = (nextID, absolute)
        let (observation, dropped) = table.update(key, orInsert: { Self.newConnection(id: id, from: from, to: to, segment, time: time) }) {
            $0.observe(segment, from: $0.client == from ? .client : .server, time: time, absolute: absolute)
        }
        if observation.connection == id { nextID += 1 }
        if let dropped { keep(dropped) }
        return observation
    }

    private static func newConnection(id: Int, from: TCPEndpoint, to: TCPEndpoint, _ segment: TCPSegment, time: Double) -> TCPConnection {
        // A SYN-ACK first means the SYN was missed: its receiver is the client.
        let reply = segment.flags.contains(.syn) && segment.flags.contains(.ack)
        return TCPConnection(id: id, client: reply ? to : from, server: reply ? from : to, time: time,
                             startsWithSYN: segment.flags.contains(.syn))
    }

    /// Keeps a connection that left the table for the summary, within the same bound.
    private mutating func keep(_ connection: TCPConnection) {
        if finished.count >= table.limit { finished.removeFirst(finished.count / 2) }
        finished.append(connection)
    }
}
