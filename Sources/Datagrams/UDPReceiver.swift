import Addresses
import Endpoints
import NIOCore
import NIOPosix
import HostState
import Rendering

/// One datagram as `udp-recv` reports it.
public struct ReceivedDatagram: Sendable {
    public let from: Endpoint
    /// IP_PKTINFO / IPV6_PKTINFO: where it was sent to and which interface it came in on.
    let packetInfo: NIOPacketInfo?
    /// The payload as received; copied out (`bytes`) only when something prints it.
    public let payload: ByteBuffer
    /// Always false here: the receive buffer holds the largest possible datagram (64 KiB).
    public let truncated: Bool
    public let sequence: Int

    public var size: Int { payload.readableBytes }
    /// The local address it was sent to.
    public var to: IPAddress? { packetInfo.flatMap { Endpoint($0.destinationAddress)?.address } }
    public var interface: String? { packetInfo.flatMap { InterfaceNames.shared.name($0.interfaceIndex) } }
    public var bytes: [UInt8] { Array(payload.readableBytesView) }
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
    /// Read `udp-send --numbered` prefixes and report the missing, reordered and repeated ones.
    public var numbered = false
    /// The most senders remembered (`--table-limit`); past it the least recently seen are forgotten.
    public var tableLimit = SenderTable.defaultLimit

    public init() {}

    /// Why these groups cannot be joined from this socket (groups of both families, or a bind
    /// address of the other family: one socket has one family), or nil.
    public var problem: String? {
        if groups.contains(where: { !$0.isMulticast }) { return "--join takes multicast group addresses (224.0.0.0/4 or ff00::/8)" }
        if Set(groups.map(\.family)).count > 1 {
            return "join IPv4 and IPv6 groups from two separate udp-recv runs: one socket has one family"
        }
        if let family = groups.first?.family, IPAddress(bindHost)?.family != family {
            return "--bind \(bindHost) is not IPv\(family.rawValue), the family of the group to --join"
        }
        if interface != nil && groups.isEmpty { return "--interface goes with --join" }
        return nil
    }
}

public struct ReceiveSummary: Sendable {
    public var datagrams = 0
    public var bytes = 0
    public var senders = SenderTable()
    /// From bind to the end, waiting included.
    public var elapsed: Duration = .zero
    /// From the first datagram to the last: what the rate is measured over.
    public var activeTime: Duration = .zero
    public var timedOut = false
    /// Packets the kernel discarded for this socket (its receive buffer was full; a group of GSO
    /// datagrams counts once), read from /proc/net/udp just before the socket closed; nil when
    /// that could not be read.
    public var kernelDrops: UInt64?
    /// With --numbered: which of the sender's numbered datagrams arrived.
    public var numbering: SequenceTracker?

    public var rate: Double { activeTime.seconds > 0 ? Double(datagrams - 1) / activeTime.seconds : 0 }
}

/// A bound UDP socket that takes datagrams from every sender (it never connects to the first
/// one, unlike `nc -u -l`). Datagrams are handled on the channel's event loop by
/// `ReceiveHandler`: per-datagram work stays in the pipeline, as NIO recommends for protocol
/// handling, which keeps up with a C receiver far better than an async sequence per datagram.
public final class UDPReceiver: Sendable {
    private let channel: Channel
    private let finished: EventLoopFuture<ReceiveSummary>
    private let narrator: Narrator
    private let options: UDPReceiveOptions
    public let localEndpoint: Endpoint

    private init(channel: Channel, finished: EventLoopFuture<ReceiveSummary>, options: UDPReceiveOptions,
                 narrator: Narrator, local: Endpoint) {
        self.channel = channel
        self.finished = finished
        self.options = options
        self.narrator = narrator
        self.localEndpoint = local
    }

    /// Binds and starts receiving; `onDatagram` runs on the event loop for every datagram,
    /// in order, until the receiver stops. `onTableFull` runs once, when the sender table is
    /// full and forgets its first sender.
    public static func bind(_ options: UDPReceiveOptions, narrator: Narrator,
                            onTableFull: @escaping @Sendable (TableFull) -> Void = { _ in },
                            onDatagram: @escaping @Sendable (ReceivedDatagram) -> Void) async throws(UDPError) -> UDPReceiver {
        let wanted = Endpoint(address: IPAddress(options.bindHost) ?? .v6(0), port: options.port)
        let isIPv6 = options.bindHost.contains(":")
        narrator.step("socket(\(isIPv6 ? "AF_INET6" : "AF_INET"), SOCK_DGRAM)",
                      "a UDP socket: it sends and receives whole datagrams; there is no connection and no handshake")
        let done = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: ReceiveSummary.self)
        let channel: Channel
        var bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if System.supportsUDPReceiveOffload {
            // UDP_GRO: a run of equal datagrams from one sender that arrives grouped (a GSO
            // sender such as udp-send on this host, or a NIC that coalesces) stays one buffer
            // with its segment size, read in one go and cut up by ReceiveHandler.
            bootstrap = bootstrap.channelOption(.datagramReceiveOffload, value: true)
                .channelOption(.datagramReceiveSegmentSize, value: true)
        }
        do {
            channel = try await bootstrap
                // Sharing a port is right for multicast listeners (several mDNS receivers on
                // 5353); for unicast it would silently steal datagrams, so a busy port is an error.
                .channelOption(.socketOption(.so_reuseaddr), value: options.groups.isEmpty ? 0 : 1)
                // A large receive buffer absorbs bursts; the kernel caps it at net.core.rmem_max.
                .channelOption(.socketOption(.so_rcvbuf), value: 8 << 20)
                .channelOption(.receivePacketInfo, value: true)
                // Up to 16 datagrams per recvmmsg(2), each slot big enough for the largest datagram.
                .channelOption(.datagramVectorReadMessageCount, value: 16)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ReceiveHandler(options: options, narrator: narrator, onTableFull: onTableFull, onDatagram: onDatagram, done: done))
                    }
                }
                .bind(host: options.bindHost, port: options.port).get()
        } catch {
            done.fail(error)
            throw UDPError.from(error, endpoint: wanted, binding: true)
        }
        let local = channel.localAddress.flatMap(Endpoint.init) ?? wanted
        narrator.step("bind(\(local))",
                      options.port == 0 ? "port 0 asked the kernel for a free port; it gave \(local.port)"
                          : "datagrams sent to port \(local.port) now reach this socket"
                          + (isIPv6 && local.address == .v6(0) ? "; [::] also takes IPv4 senders (dual-stack)" : ""))

        let receiver = UDPReceiver(channel: channel, finished: done.futureResult, options: options, narrator: narrator, local: local)
        do {
            try await receiver.joinGroups()
        } catch {
            receiver.stop()
            throw error
        }
        return receiver
    }

    private func joinGroups() async throws(UDPError) {
        guard !options.groups.isEmpty, let multicast = channel as? MulticastChannel else { return }
        var device: NIONetworkDevice?
        if let name = options.interface {
            // enumerateDevices lists an interface once per address; take the entry of the groups' family.
            let wanted: NIOBSDSocket.ProtocolFamily = options.groups.first?.family == .v4 ? .inet : .inet6
            let named = ((try? System.enumerateDevices()) ?? []).filter { $0.name == name }
            guard !named.isEmpty else { throw .io("no such interface: \(TerminalText.escape(name)); see `ip link` for the names on this host") }
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

    /// Waits until `count` datagrams arrived, the idle timeout passed, or `stop()` was called
    /// (cancelling the waiting task calls it).
    public func run() async throws(UDPError) -> ReceiveSummary {
        do {
            let summary = try await withTaskCancellationHandler {
                try await finished.get()
            } onCancel: {
                stop()
            }
            narrator.step("close()", "the port is free again; datagrams sent to it from now on are answered with ICMP port unreachable")
            return summary
        } catch {
            throw UDPError.from(error, endpoint: localEndpoint)
        }
    }

    /// Ends `run` from another task or a signal handler.
    public func stop() {
        channel.close(promise: nil)
    }

    /// `payload` is the envelope's data, or one datagram of a GRO buffer.
    static func datagram(_ envelope: AddressedEnvelope<ByteBuffer>, payload: ByteBuffer, sequence: Int) -> ReceivedDatagram {
        ReceivedDatagram(
            from: Endpoint(envelope.remoteAddress) ?? Endpoint(address: .v4(0), port: 0),
            packetInfo: envelope.metadata?.packetInfo,
            payload: payload,
            truncated: false,
            sequence: sequence)
    }
}

/// Counts, reports and (with --echo) answers each datagram, on the channel's event loop; all
/// its state is confined to that loop. It completes `done` with the summary when the channel closes.
final class ReceiveHandler: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let options: UDPReceiveOptions
    private let narrator: Narrator
    private let onDatagram: @Sendable (ReceivedDatagram) -> Void
    private let onTableFull: @Sendable (TableFull) -> Void
    private let done: EventLoopPromise<ReceiveSummary>
    private var summary: ReceiveSummary
    private let start = ContinuousClock.now
    private var first: ContinuousClock.Instant?
    private var last: ContinuousClock.Instant?
    private var idleCheck: Scheduled<Void>?
    private var pendingEcho = false

    init(options: UDPReceiveOptions, narrator: Narrator, onTableFull: @escaping @Sendable (TableFull) -> Void = { _ in },
         onDatagram: @escaping @Sendable (ReceivedDatagram) -> Void, done: EventLoopPromise<ReceiveSummary>) {
        self.options = options
        self.narrator = narrator
        self.onTableFull = onTableFull
        self.onDatagram = onDatagram
        self.done = done
        summary = ReceiveSummary()
        summary.senders = SenderTable(limit: options.tableLimit)
        if options.numbered { summary.numbering = SequenceTracker() }
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context, after: options.idleTimeout)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let segment = envelope.metadata?.segmentSize, segment > 0, envelope.data.readableBytes > segment else {
            receive(envelope.data, from: envelope, context: context)
            return
        }
        // A GRO buffer: equal datagrams back to back, the last one possibly shorter.
        var buffer = envelope.data
        let count = (buffer.readableBytes + segment - 1) / segment
        narrator.step("recvmsg() → \(buffer.readableBytes) bytes from \(Endpoint(envelope.remoteAddress).map(\.description) ?? "?"), UDP_GRO segment size \(segment)",
                      "\(count) datagrams in one read: the sender grouped equal datagrams (UDP GSO) and the kernel kept them together; they are cut apart again here")
        while let datagram = buffer.readSlice(length: Swift.min(segment, buffer.readableBytes)) {
            receive(datagram, from: envelope, context: context, grouped: true)
            if buffer.readableBytes == 0 { break }
        }
    }

    private func receive(_ payload: ByteBuffer, from envelope: AddressedEnvelope<ByteBuffer>, context: ChannelHandlerContext,
                         grouped: Bool = false) {
        guard options.count.map({ summary.datagrams < $0 }) ?? true else { return }
        let received = UDPReceiver.datagram(envelope, payload: payload, sequence: summary.datagrams + 1)
        let now = ContinuousClock.now
        if first == nil { first = now }
        last = now
        summary.datagrams += 1
        summary.bytes += received.size
        if let forgotten = summary.senders.note(received.from) {
            onTableFull(TableFull(limit: summary.senders.limit, forgotten: forgotten))
        }
        if options.numbered { payload.withUnsafeReadableBytes { summary.numbering?.record($0) } }
        if !grouped {
            narrator.step("recvfrom() → \(received.size) bytes from \(received.from)",
                          "one read returns exactly one datagram, with the sender's address; no connection was ever set up")
        }
        onDatagram(received)
        if options.echo {
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: payload)), promise: nil)
            pendingEcho = true
            narrator.step("sendto(\(received.from), \(received.size) bytes)",
                          "the echo goes back to whatever address the datagram came from")
        }
        if let count = options.count, summary.datagrams >= count {
            flushEchoes(context: context)
            closeChannel(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushEchoes(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // An ICMP error for an echo we sent comes back as ECONNREFUSED; the receiver carries on.
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return }
        done.fail(error)
        closeChannel(context: context)
    }

    /// A close asked of the channel from outside (`stop()`) passes here while the socket is still open.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        recordKernelDrops(context: context)
        context.close(mode: mode, promise: promise)
    }

    /// This handler's own closes (count reached, idle timeout, an error) start below it in the pipeline.
    private func closeChannel(context: ChannelHandlerContext) {
        recordKernelDrops(context: context)
        context.close(promise: nil)
    }

    /// The socket's row in /proc/net/udp, with the kernel's drop count, exists only while it is open.
    private func recordKernelDrops(context: ChannelHandlerContext) {
        guard summary.kernelDrops == nil, let local = context.channel.localAddress.flatMap(Endpoint.init) else { return }
        summary.kernelDrops = ProcParsers.udpDrops(address: local.address, port: UInt16(local.port))
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        let end = ContinuousClock.now
        summary.elapsed = end - start
        if let first, let last { summary.activeTime = last - first }
        done.succeed(summary)
        context.fireChannelInactive()
    }

    private func flushEchoes(context: ChannelHandlerContext) {
        if pendingEcho {
            context.flush()
            pendingEcho = false
        }
    }

    /// Closes the channel once `idle` has passed since the last datagram (or since binding).
    private func scheduleIdleCheck(context: ChannelHandlerContext, after delay: Duration?) {
        guard let idle = options.idleTimeout, let delay else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            let (handler, context) = loopBound.value
            let quiet = ContinuousClock.now - (handler.last ?? handler.start)
            if quiet >= idle {
                handler.summary.timedOut = true
                handler.closeChannel(context: context)
            } else {
                handler.scheduleIdleCheck(context: context, after: idle - quiet)
            }
        }
    }
}
