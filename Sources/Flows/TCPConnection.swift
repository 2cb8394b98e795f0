import Addresses
import Packets

/// An address and port.
public struct TCPEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    /// `127.0.0.1:8080`, `[::1]:8080`: the way every command writes an address with a port.
    public var description: String { address.family == .v6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

/// One TCP connection as a capture sees it: each side's state, sequence bases and counters,
/// and tshark's analysis of every segment. Pure: segments and times in, observations out.
public struct TCPConnection: Sendable {
    public enum Ending: Equatable, Sendable {
        case open
        /// Both FINs were seen.
        case closed
        case reset(by: TCPSide)
    }

    public let id: Int
    public let client: TCPEndpoint
    public let server: TCPEndpoint
    public let firstSeen: Double
    public private(set) var lastSeen: Double
    /// From the SYN to the ACK that completes the handshake (tshark's iRTT).
    public internal(set) var handshakeRTT: Double?
    public internal(set) var closedFirst: TCPSide?
    public internal(set) var ending = Ending.open
    var toServer: TCPDirection
    var toClient: TCPDirection
    var synTime: Double?
    var handshakeSeen = 0
    var closeSeen = 0

    /// A segment out of order within this long of the flow's latest is reordering, not a
    /// retransmission (tshark's default when no RTT is known: 3 ms).
    static let reorderingWindow = 0.003
    /// Duplicate ACKs this recent make a retransmission a fast one (tshark: 20 ms).
    static let fastRetransmitWindow = 0.02

    init(id: Int, client: TCPEndpoint, server: TCPEndpoint, time: Double, startsWithSYN: Bool) {
        self.id = id
        self.client = client
        self.server = server
        firstSeen = time
        lastSeen = time
        // Seen from its first SYN, both ends start closed (the server listening); seen
        // mid-stream, both are taken as established.
        toServer = TCPDirection(state: startsWithSYN ? .closed : .established)
        toClient = TCPDirection(state: startsWithSYN ? .listen : .established)
    }

    public var clientState: TCPState { toServer.state }
    public var serverState: TCPState { toClient.state }
    public var packetsToServer: Int { toServer.packets }
    public var packetsToClient: Int { toClient.packets }
    public var bytesToServer: Int { toServer.bytes }
    public var bytesToClient: Int { toClient.bytes }
    public var retransmissions: Int { toServer.retransmissions + toClient.retransmissions }

    /// A new SYN for this address pair after the connection ended: the ports were reused.
    func isReplacedBy(_ segment: TCPSegment) -> Bool {
        segment.flags.contains(.syn) && !segment.flags.contains(.ack) && handshakeSeen > 0
            && segment.sequence != toServer.base && (ending != .open || clientState == .timeWait)
    }

    mutating func observe(_ segment: TCPSegment, from side: TCPSide, time: Double, absolute: Bool) -> TCPObservation {
        lastSeen = time
        let before = (clientState, serverState)
        let marks = side == .client
            ? Self.analyse(segment, sender: &toServer, receiver: &toClient, time: time, scaling: scaling, initialRTT: handshakeRTT)
            : Self.analyse(segment, sender: &toClient, receiver: &toServer, time: time, scaling: scaling, initialRTT: handshakeRTT)
        let step = advance(segment, from: side, time: time)
        let sender = side == .client ? toServer : toClient
        let receiver = side == .client ? toClient : toServer
        let annotation = TCPAnnotation(
            sequence: absolute ? segment.sequence : segment.sequence &- (sender.base ?? 0),
            acknowledgment: absolute || !segment.flags.contains(.ack) ? segment.acknowledgment
                                                                    : segment.acknowledgment &- (receiver.base ?? 0),
            marks: marks, scaledWindow: segment.flags.contains(.syn) ? nil : sender.windowBytes(segment.window, scaling: scaling))
        return TCPObservation(connection: id, client: client, server: server, side: side, annotation: annotation, step: step,
                              clientState: clientState, serverState: serverState,
                              clientStateChanged: before.0 != clientState, serverStateChanged: before.1 != serverState)
    }

    /// Window scaling is in force only when both SYNs carried the option (RFC 7323 section 2.2).
    private var scaling: Bool { toServer.windowScale != nil && toClient.windowScale != nil }
}

/// What the tracker says of one segment.
public struct TCPObservation: Sendable {
    public var connection: Int
    public var client: TCPEndpoint
    public var server: TCPEndpoint
    public var side: TCPSide
    public var annotation: TCPAnnotation
    public var step: TCPStep
    public var clientState: TCPState
    public var serverState: TCPState
    public var clientStateChanged: Bool
    public var serverStateChanged: Bool
}
