import Addresses
import Packets

/// Which way a packet of one's own flow went.
public enum WireDirection: Sendable {
    /// Sent by this host to the peer.
    case out
    /// Sent by the peer (or a router on the way, for an ICMP error) to this host.
    case `in`
}

/// One connection, or one exchange of datagrams, of this process as `--wire` follows it. The
/// peer's addresses and port are known before connecting; the local port is not (the kernel
/// picks it in connect()), so it is learnt from the first packet sent to the peer: the SYN, or
/// the first datagram. From then on only that four-tuple (and ICMP errors quoting it) belongs,
/// until a reset ends it: a client that tries the next address of a name then sends a new SYN.
public struct WireFlow: Sendable {
    public enum Transport: String, Sendable {
        case tcp, udp
    }

    public let transport: Transport
    public let peers: [IPAddress]
    public let port: UInt16
    public private(set) var localAddress: IPAddress?
    public private(set) var localPort: UInt16?
    /// A reset ended the connection; the next SYN to the peer starts the one to follow.
    private var reset = false

    public init(transport: Transport, peers: [IPAddress], port: UInt16) {
        self.transport = transport
        self.peers = peers
        self.port = port
    }

    /// What the kernel is asked to pass: the peer's port and addresses (and, for UDP, ICMP,
    /// whose errors may come from any router on the path; `classify` keeps only those quoting
    /// this flow).
    public var filter: String {
        let hosts = peers.map { "host \($0)" }.joined(separator: " or ")
        let own = "\(transport.rawValue) and port \(port) and (\(hosts))"
        return transport == .tcp ? own : "(\(own)) or icmp or icmp6"
    }

    /// The direction of `packet` when it belongs to this flow, else nil. The first packet sent
    /// to the peer (for TCP a SYN without ACK) fixes the local end.
    public mutating func classify(_ packet: IPPacket) -> WireDirection? {
        switch packet.transport {
        case .tcp(let segment):
            let opening = segment.flags.contains(.syn) && !segment.flags.contains(.ack)
            if opening && reset { (localAddress, localPort, reset) = (nil, nil, false) }
            let direction = classify(packet, source: segment.sourcePort, destination: segment.destinationPort, opening: opening)
            if direction != nil && segment.flags.contains(.rst) { reset = true }
            return direction
        case .udp(let datagram):
            return classify(packet, source: datagram.sourcePort, destination: datagram.destinationPort, opening: true)
        case .icmp(let message):
            return quotesThisFlow(message) ? .in : nil
        case .laterFragment, .other:
            return nil
        }
    }

    private mutating func classify(_ packet: IPPacket, source: UInt16, destination: UInt16, opening: Bool) -> WireDirection? {
        let toPeer = destination == port && peers.contains(packet.destination)
        let fromPeer = source == port && peers.contains(packet.source)
        guard let localAddress, let localPort else {
            guard toPeer, opening else { return nil }
            (self.localAddress, self.localPort) = (packet.source, source)
            return .out
        }
        if toPeer && packet.source == localAddress && source == localPort { return .out }
        if fromPeer && packet.destination == localAddress && destination == localPort { return .in }
        return nil
    }

    /// An ICMP error about a datagram (or segment) this flow sent: to the peer's port, from ours.
    private func quotesThisFlow(_ message: ICMPMessage) -> Bool {
        guard message.isError, let quoted = message.quoted, let localPort else { return false }
        return quoted.protocolNumber == (transport == .tcp ? 6 : 17) && peers.contains(quoted.destination)
            && quoted.destinationPort == port && quoted.sourcePort == localPort && quoted.source == localAddress
    }
}
