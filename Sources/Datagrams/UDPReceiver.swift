import Addresses
import NIOCore
import NIOPosix
import Rendering
import Synchronization

/// One datagram as `udp-recv` reports it.
public struct ReceivedDatagram: Sendable {
    public let from: Endpoint
    /// The local address it was sent to (from IP_PKTINFO / IPV6_PKTINFO).
    public let to: IPAddress?
    public let interface: String?
    public let bytes: [UInt8]
    /// Always false here: the receive buffer holds the largest possible datagram (64 KiB).
    public let truncated: Bool
    public let sequence: Int
}

public struct UDPReceiveOptions: Sendable {
    public var bindHost = "::"
    public var port = 0
    public var echo = false
    public var groups: [IPAddress] = []
    public var interface: String?
    public var count: Int?
    /// Stop after this long without a datagram.
    public var idleTimeout: Duration?

    public init() {}
}

public struct ReceiveSummary: Sendable {
    public var datagrams = 0
    public var bytes = 0
    public var senders = Set<Endpoint>()
    /// From bind to the end, waiting included.
    public var elapsed: Duration = .zero
    /// From the first datagram to the last: what the rate is measured over.
    public var activeTime: Duration = .zero
    public var timedOut = false

    public var rate: Double { activeTime.seconds > 0 ? Double(datagrams - 1) / activeTime.seconds : 0 }
}

/// Shared between the receive loop and its idle watchdog.
private final class ReceiveState: Sendable {
    let lastActivity: Mutex<ContinuousClock.Instant>
    let timedOut = Mutex(false)

    init(start: ContinuousClock.Instant) { lastActivity = Mutex(start) }
}

/// A bound UDP socket that takes datagrams from every sender (it never connects to the first
/// one, unlike `nc -u -l`).
public final class UDPReceiver: Sendable {
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let options: UDPReceiveOptions
    private let narrator: Narrator
    public let localEndpoint: Endpoint

    private init(channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>,
                 options: UDPReceiveOptions, narrator: Narrator, local: Endpoint) {
        self.channel = channel
        self.options = options
        self.narrator = narrator
        self.localEndpoint = local
    }

    public static func bind(_ options: UDPReceiveOptions, narrator: Narrator) async throws(UDPError) -> UDPReceiver {
        let wanted = Endpoint(address: IPAddress(options.bindHost) ?? .v6(0), port: options.port)
        let isIPv6 = options.bindHost.contains(":")
        narrator.step("socket(\(isIPv6 ? "AF_INET6" : "AF_INET"), SOCK_DGRAM)",
                      "a UDP socket: it sends and receives whole datagrams; there is no connection and no handshake")
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // A large receive buffer absorbs bursts; the kernel caps it at net.core.rmem_max.
                .channelOption(.socketOption(.so_rcvbuf), value: 8 << 20)
                .channelOption(.receivePacketInfo, value: true)
                // Up to 16 datagrams per recvmmsg(2), each slot big enough for the largest datagram.
                .channelOption(.datagramVectorReadMessageCount, value: 16)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 65_536))
                .bind(host: options.bindHost, port: options.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Generous watermarks: NIO keeps reading (recvmmsg) while the loop below
                        // catches up, instead of pausing every few datagrams and letting the socket overflow.
                        try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(
                            backPressureStrategy: .init(lowWatermark: 256, highWatermark: 1024)))
                    }
                }
        } catch {
            throw UDPError.from(error, endpoint: wanted, binding: true)
        }
        let local = channel.channel.localAddress.flatMap(Endpoint.init) ?? wanted
        narrator.step("bind(\(local))",
                      options.port == 0 ? "port 0 asked the kernel for a free port; it gave \(local.port)"
                          : "datagrams sent to port \(local.port) now reach this socket"
                          + (isIPv6 && local.address == .v6(0) ? "; [::] also takes IPv4 senders (dual-stack)" : ""))

        let receiver = UDPReceiver(channel: channel, options: options, narrator: narrator, local: local)
        do {
            try await receiver.joinGroups()
        } catch {
            // An NIOAsyncChannel must be closed through executeThenClose, even on the way out.
            try? await channel.executeThenClose { _, _ in }
            throw error
        }
        return receiver
    }

    private func joinGroups() async throws(UDPError) {
        guard !options.groups.isEmpty, let multicast = channel.channel as? MulticastChannel else { return }
        var device: NIONetworkDevice?
        if let name = options.interface {
            // enumerateDevices lists an interface once per address; take the entry of the groups' family.
            let wanted: NIOBSDSocket.ProtocolFamily = options.groups.first?.family == .v4 ? .inet : .inet6
            let named = ((try? System.enumerateDevices()) ?? []).filter { $0.name == name }
            guard !named.isEmpty else { throw .io("no such interface: \(name); see `ip link` for the names on this host") }
            device = named.first { $0.address?.protocol == wanted } ?? named[0]
        }
        for group in options.groups {
            let endpoint = Endpoint(address: group, port: localEndpoint.port)
            do {
                let address = try SocketAddress(ipAddress: group.description, port: localEndpoint.port)
                try await multicast.joinGroup(address, device: device).get()
            } catch is NIOMulticastNotSupportedError {
                throw .io("interface \(options.interface ?? "?") does not do multicast (no MULTICAST flag); "
                          + "pick another with --interface, or enable it: ip link set \(options.interface ?? "DEV") multicast on")
            } catch {
                throw UDPError.from(error, endpoint: endpoint)
            }
            narrator.step("setsockopt(\(group.family == .v4 ? "IP_ADD_MEMBERSHIP" : "IPV6_JOIN_GROUP"), \(group)"
                          + (options.interface.map { ", \($0)" } ?? "") + ")",
                          "the kernel now delivers datagrams sent to group \(group) to this socket, and tells routers so (IGMP/MLD)")
        }
    }

    /// Receives until `count` datagrams arrived, the idle timeout passed, or `stop()` was called.
    public func run(_ onDatagram: (ReceivedDatagram) -> Void) async throws(UDPError) -> ReceiveSummary {
        let start = ContinuousClock.now
        let state = ReceiveState(start: start)
        let channel = self.channel
        // The idle watchdog closes the channel, which ends the receive loop below.
        let watchdog = options.idleTimeout.map { idle in
            Task {
                while !Task.isCancelled {
                    let deadline = state.lastActivity.withLock { $0 } + idle
                    if ContinuousClock.now >= deadline {
                        state.timedOut.withLock { $0 = true }
                        channel.channel.close(promise: nil)
                        return
                    }
                    try? await Task.sleep(until: deadline, clock: .continuous)
                }
            }
        }
        defer { watchdog?.cancel() }

        var summary = ReceiveSummary()
        do {
            let tally = try await channel.executeThenClose { inbound, outbound in
                var tally = (datagrams: 0, bytes: 0, senders: Set<Endpoint>(), first: start, last: start)
                do {
                    for try await envelope in inbound {
                        let received = Self.datagram(envelope, sequence: tally.datagrams + 1)
                        let now = ContinuousClock.now
                        state.lastActivity.withLock { $0 = now }
                        if tally.datagrams == 0 { tally.first = now }
                        tally.last = now
                        tally.datagrams += 1
                        tally.bytes += received.bytes.count
                        tally.senders.insert(received.from)
                        narrator.step("recvfrom() → \(received.bytes.count) bytes from \(received.from)",
                                      "one read returns exactly one datagram, with the sender's address; no connection was ever set up")
                        onDatagram(received)
                        if options.echo {
                            try await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: envelope.data))
                            narrator.step("sendto(\(received.from), \(received.bytes.count) bytes)",
                                          "the echo goes back to whatever address the datagram came from")
                        }
                        if let count = options.count, tally.datagrams >= count { break }
                    }
                } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
                    // stop() or the watchdog closed the channel: a normal end.
                }
                return tally
            }
            summary.datagrams = tally.datagrams
            summary.bytes = tally.bytes
            summary.senders = tally.senders
            summary.activeTime = tally.last - tally.first
        } catch {
            throw UDPError.from(error, endpoint: localEndpoint)
        }
        narrator.step("close()", "the port is free again; datagrams sent to it from now on are answered with ICMP port unreachable")
        summary.elapsed = ContinuousClock.now - start
        summary.timedOut = state.timedOut.withLock { $0 }
        return summary
    }

    /// Ends `run` from another task or a signal handler.
    public func stop() {
        channel.channel.close(promise: nil)
    }

    static func datagram(_ envelope: AddressedEnvelope<ByteBuffer>, sequence: Int) -> ReceivedDatagram {
        let info = envelope.metadata?.packetInfo
        return ReceivedDatagram(
            from: Endpoint(envelope.remoteAddress) ?? Endpoint(address: .v4(0), port: 0),
            to: info.flatMap { Endpoint($0.destinationAddress)?.address },
            interface: info.flatMap { InterfaceNames.shared.name($0.interfaceIndex) },
            bytes: Array(envelope.data.readableBytesView),
            truncated: false,
            sequence: sequence)
    }
}
