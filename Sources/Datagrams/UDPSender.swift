import Addresses
import Endpoints
import NIOCore
import NIOPosix
import ProcessIO
import Rendering
#if canImport(Glibc)
import Glibc
#endif

public struct UDPSendOptions: Sendable {
    public var host = ""
    public var port = 0
    public var family = FamilyPreference.any
    public var bindHost: String?
    public var sourcePort: Int?
    /// Wait this long between datagrams (`--interval`), or pace to a rate (`--rate`, datagrams/s).
    public var interval: Duration?
    public var broadcast = false
    public var ttl: Int?
    public var multicastTTL: Int?
    public var multicastInterface: String?
    public var waitReply = false
    public var timeout: Duration = .seconds(2)
    /// Let unpaced runs of one payload go out with UDP generic segmentation offload (`--no-gso` clears it).
    public var segmentation = true

    public init() {}

    /// Why these options cannot be sent with (a bind address that is no IP address, a TTL out
    /// of range), or nil.
    public var problem: String? {
        if let bindHost, IPAddress(bindHost) == nil { return "--bind takes an IP address of this host; got '\(TerminalText.escape(bindHost))'" }
        if let ttl, !(1...255).contains(ttl) {
            return "--ttl \(ttl) is out of range: 1-255 hops (a datagram with TTL 0 could not leave this host)"
        }
        if let multicastTTL, !(0...255).contains(multicastTTL) {
            return "--multicast-ttl \(multicastTTL) is out of range: 0-255 (0 keeps it on this host, 1 on this link)"
        }
        return nil
    }
}

/// What to send: the payloads in order, the whole list `repeats` times.
public struct PayloadPlan: Sendable {
    public let payloads: [[UInt8]]
    public let repeats: Int

    public init(payloads: [[UInt8]], repeats: Int = 1) {
        self.payloads = payloads
        self.repeats = repeats
    }

    public var total: Int { payloads.count * repeats }

    /// Every datagram of the run with `#I/N ` in front (`--numbered`), so a receiver can tell
    /// which never arrived.
    public func numbered() -> PayloadPlan {
        let total = self.total
        return PayloadPlan(payloads: (0..<total).map { index in Numbering.prefix(index + 1, of: total) + payloads[index % payloads.count] })
    }

    /// The datagrams in `input`: all of it as one, or one per line (`lines`); read as hex
    /// when `hex`.
    public init(input: [UInt8], lines: Bool, hex: Bool, repeats: Int) throws(UDPError) {
        var payloads: [[UInt8]] = [input]
        if lines {
            payloads = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            if payloads.last?.isEmpty == true { payloads.removeLast() }
        }
        if hex { payloads = try payloads.map { bytes throws(UDPError) in try Payload.parseHex(String(decoding: bytes, as: UTF8.self)) } }
        self.init(payloads: payloads, repeats: repeats)
    }
}

/// Where udp-send's payload comes from.
public enum PayloadSource: Sendable {
    case text(String)
    case file(String)
    case standardInput
    case generated(size: Int)
}

extension PayloadPlan {
    /// Reads the payload (a file or stdin to its end) and cuts it into datagrams.
    public static func read(_ source: PayloadSource, lines: Bool, hex: Bool, repeats: Int) throws(UDPError) -> PayloadPlan {
        let input: [UInt8]?
        switch source {
        case .generated(let size): return PayloadPlan(payloads: [Payload.generated(size: size)], repeats: repeats)
        case .text(let text): return try PayloadPlan(input: Array(text.utf8), lines: false, hex: hex, repeats: repeats)
        case .file(let path): input = readAll(path: path)
        case .standardInput: input = readAll(fd: 0)
        }
        guard let input else {
            let name = if case .file(let path) = source { path } else { "stdin" }
            throw .io("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        return try PayloadPlan(input: input, lines: lines, hex: hex, repeats: repeats)
    }
}

public struct SendSummary: Sendable {
    public var destination: Endpoint
    public var source: Endpoint?
    public var datagrams = 0
    public var bytes = 0
    public var replies = 0
    public var elapsed: Duration = .zero

    public var rate: Double { elapsed.seconds > 0 ? Double(datagrams) / elapsed.seconds : 0 }
}

/// Sends datagrams from a connected UDP socket. Connecting sends nothing; it fixes the
/// destination, so the kernel reports an ICMP port unreachable back to us as ECONNREFUSED
/// (an unconnected socket never hears of it).
public enum UDPSender {
    public static func run(_ options: UDPSendOptions, plan: PayloadPlan, narrator: Narrator,
                           onReply: (ReceivedDatagram) -> Void) async throws(UDPError) -> SendSummary {
        // UDP has no handshake to fail, so there is nothing to try a second address with: the
        // first the resolver prefers is the destination.
        let remote: SocketAddress
        do {
            remote = try Connector(host: options.host, port: options.port, family: options.family,
                                   connectTimeout: .zero, narrator: narrator).resolve(.udp)[0]
        } catch {
            throw .network(error)
        }
        guard let destination = Endpoint(remote) else { throw .io("cannot send to \(remote)") }
        let isIPv6 = destination.address.family == .v6

        if let largest = plan.payloads.map(\.count).max(), largest > Payload.limit(ipv6: isIPv6) {
            throw .payloadTooLarge(bytes: largest, limit: Payload.limit(ipv6: isIPv6), family: isIPv6 ? "IPv6" : "IPv4")
        }
        if !isIPv6 && !options.broadcast && isBroadcast(destination.address) {
            throw .broadcastNotAllowed(destination)
        }

        narrator.step("socket(\(isIPv6 ? "AF_INET6" : "AF_INET"), SOCK_DGRAM)",
                      "a UDP socket: each send is one datagram; nothing is set up with the other side")
        var bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.receivePacketInfo, value: true)
            // Room for whole batches of queued datagrams before the writer waits for the socket.
            .channelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 4 << 20))
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
        if options.broadcast { bootstrap = bootstrap.channelOption(.socketOption(.so_broadcast), value: 1) }
        if let ttl = options.ttl {
            let option = isIPv6 ? ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: IPV6_UNICAST_HOPS))
                : ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: IP_TTL))
            bootstrap = bootstrap.channelOption(option, value: SocketOptionValue(ttl))
        }
        if let hops = options.multicastTTL {
            let option = isIPv6 ? ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_hops)
                : ChannelOptions.ipOption(.ip_multicast_ttl)
            bootstrap = bootstrap.channelOption(option, value: SocketOptionValue(hops))
        }

        let bindHost = options.bindHost ?? (isIPv6 ? "::" : "0.0.0.0")
        let bindEndpoint = Endpoint(address: IPAddress(bindHost) ?? .v4(0), port: options.sourcePort ?? 0)
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await bootstrap.bind(host: bindHost, port: options.sourcePort ?? 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(backPressureStrategy: .init(lowWatermark: 64, highWatermark: 256)))
                }
            }
        } catch {
            throw UDPError.from(error, endpoint: bindEndpoint, binding: true)
        }
        let start = ContinuousClock.now
        let counts: (datagrams: Int, bytes: Int, replies: Int, source: Endpoint?)
        do {
            // Everything after the socket exists runs inside executeThenClose, so it is closed on every path.
            counts = try await channel.executeThenClose { inbound, _ in
                if let name = options.multicastInterface {
                    try await setMulticastInterface(name, on: channel.channel, ipv6: isIPv6)
                }
                try await channel.channel.connect(to: remote).get()
                let source = channel.channel.localAddress.flatMap(Endpoint.init)
                narrator.step("connect(\(destination)) from \(source.map(\.description) ?? "?")",
                              "no packet is sent: UDP connect only fixes the destination. "
                                  + (options.sourcePort == nil ? "The kernel picked the ephemeral source port \(source?.port ?? 0)." : ""))
                var datagrams = 0, bytes = 0, replyCount = 0
                var replies: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator?
                // Unpaced, reply-less sends go out in batches: NIO writes a batch with a few
                // sendmmsg(2) calls instead of one syscall per datagram.
                // Payloads become ByteBuffers once and are written again and again without copies.
                // A repeated payload gets several copies (up to 4 MiB), so neighbouring datagrams
                // do not share one buffer whose reference count both threads would fight over.
                let copies = plan.payloads.count == 1 ? max(1, min(256, (4 << 20) / max(1, plan.payloads[0].count))) : 1
                let envelopes = (0..<copies).flatMap { _ in
                    plan.payloads.map { AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: $0)) }
                }
                if options.interval == nil && !options.waitReply && !narrator.isEnabled {
                    let segments = options.segmentation ? try await segmentsPerSend(plan, on: channel.channel, ipv6: isIPv6) : 1
                    let sent = try await sendUnpaced(plan, buffers: envelopes.map(\.data), segments: segments,
                                                     on: channel.channel, to: remote)
                    return (sent.datagrams, sent.bytes, replyCount, source)
                }
                if let interval = options.interval, interval < Self.batchPeriod, !options.waitReply, !narrator.isEnabled {
                    let sent = try await sendPacedInBatches(plan, envelopes: envelopes, interval: interval, start: start, on: channel.channel)
                    return (sent.datagrams, sent.bytes, replyCount, source)
                }
                for index in 0..<plan.total {
                    if index > 0, let interval = options.interval {
                        try await Task.sleep(until: start + interval * index, clock: .continuous)
                    }
                    let envelope = envelopes[index % envelopes.count]
                    // Written on the channel itself, so a refused send (EPERM) fails this very write.
                    try await channel.channel.writeAndFlush(envelope).get()
                    datagrams += 1
                    bytes += envelope.data.readableBytes
                    narrator.step("send(\(envelope.data.readableBytes) bytes) → \(destination)",
                                  "one datagram left; if it is lost nobody retries it, and no acknowledgement will come")
                    if options.waitReply {
                        if replies == nil { replies = inbound.makeAsyncIterator() }
                        let reply = try await nextReply(&replies!, number: replyCount + 1, timeout: options.timeout, destination: destination)
                        replyCount += 1
                        narrator.step("recv() → \(reply.size) bytes from \(reply.from)",
                                      "the reply is just another datagram that happened to come back")
                        onReply(reply)
                    }
                }
                return (datagrams, bytes, replyCount, source)
            }
        } catch is SegmentationRefused {
            // Nothing was sent yet and NIO closed the socket on the error: start again without GSO.
            var plain = options
            plain.segmentation = false
            return try await run(plain, plan: plan, narrator: narrator, onReply: onReply)
        } catch {
            throw UDPError.from(error, endpoint: destination)
        }
        var summary = SendSummary(destination: destination, source: counts.source)
        summary.datagrams = counts.datagrams
        summary.bytes = counts.bytes
        summary.replies = counts.replies
        summary.elapsed = ContinuousClock.now - start
        narrator.step("close()", "the socket and its ephemeral port are released")
        return summary
    }

    /// Above 1,000 datagrams/s a sleep per datagram costs more than the gap it waits for (a
    /// timer, a task switch, a flush each time): the datagrams that are due go out together,
    /// once a millisecond, so the average rate holds while each wake-up carries many.
    static let batchPeriod = Duration.milliseconds(1)

    private static func sendPacedInBatches(_ plan: PayloadPlan, envelopes: [AddressedEnvelope<ByteBuffer>], interval: Duration,
                                           start: ContinuousClock.Instant, on channel: Channel) async throws -> (datagrams: Int, bytes: Int) {
        var sent = 0, bytes = 0
        while sent < plan.total {
            let due = min(plan.total, Int((ContinuousClock.now - start) / interval) + 1)
            if due > sent {
                for index in sent..<(due - 1) {
                    channel.write(envelopes[index % envelopes.count], promise: nil)
                    bytes += envelopes[index % envelopes.count].data.readableBytes
                }
                // The batch's last write is waited for: a refused send (EPERM) fails it, and the
                // next batch starts only once this one reached the socket.
                let last = envelopes[(due - 1) % envelopes.count]
                try await channel.writeAndFlush(last).get()
                bytes += last.data.readableBytes
                sent = due
            }
            if sent < plan.total {
                try await Task.sleep(until: max(start + interval * sent, .now + batchPeriod), clock: .continuous)
            }
        }
        return (sent, bytes)
    }

    /// Unpaced, reply-less sending. Writes go to the channel on its event loop a batch at a time,
    /// the next batch once the last one has reached the socket: the async writer's per-datagram
    /// hand-off cost more than the sendmmsg(2) calls NIO makes for a batch.
    /// With `segments` > 1, each write carries that many copies of the one payload and the kernel
    /// cuts it into separate datagrams (UDP generic segmentation offload), one trip down the stack
    /// for up to 64 datagrams.
    private static func sendUnpaced(_ plan: PayloadPlan, buffers: [ByteBuffer], segments: Int,
                                    on channel: Channel, to remote: SocketAddress) async throws -> (datagrams: Int, bytes: Int) {
        var datagrams = 0, bytes = 0
        if segments > 1 {
            let payload = buffers[0], size = payload.readableBytes
            var joined = ByteBuffer()
            joined.reserveCapacity(segments * size)
            for _ in 0..<segments { joined.writeImmutableBuffer(payload) }
            let block = joined
            while datagrams < plan.total {
                let count = min(segments * 64, plan.total - datagrams)
                let batch = channel.eventLoop.flatSubmit {
                    var left = count
                    while true {
                        let carried = min(segments, left)
                        left -= carried
                        let envelope = AddressedEnvelope(
                            remoteAddress: remote, data: block.getSlice(at: block.readerIndex, length: carried * size)!,
                            metadata: .init(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: size))
                        if left == 0 { return channel.writeAndFlush(envelope) }
                        channel.write(envelope, promise: nil)
                    }
                }
                do {
                    try await batch.get()
                } catch let error as IOError where datagrams == 0 && [EIO, EINVAL].contains(error.errnoCode) {
                    // The kernel refuses GSO on some paths (IPsec, a lowered MTU); the first
                    // batch fails whole, before any datagram left.
                    throw SegmentationRefused()
                }
                datagrams += count
                bytes += count * size
            }
            return (datagrams, bytes)
        }
        // Plain ByteBuffers: the socket is connected, and NIOAny holds a ByteBuffer inline
        // where an AddressedEnvelope would be boxed once per write.
        while datagrams < plan.total {
            let first = datagrams, count = min(1024, plan.total - datagrams)
            try await channel.eventLoop.flatSubmit {
                for offset in first..<(first + count - 1) {
                    channel.write(buffers[offset % buffers.count], promise: nil)
                }
                return channel.writeAndFlush(buffers[(first + count - 1) % buffers.count])
            }.get()
            for offset in first..<(first + count) { bytes += buffers[offset % buffers.count].readableBytes }
            datagrams += count
        }
        return (datagrams, bytes)
    }

    /// How many datagrams one send may carry with UDP_SEGMENT: only for many copies of one
    /// payload whose datagrams each fit the path MTU unfragmented (the kernel refuses a segment
    /// that would need fragments), at most 64 per send and 65,000 bytes in all. 1 means no GSO.
    private static func segmentsPerSend(_ plan: PayloadPlan, on channel: Channel, ipv6: Bool) async throws -> Int {
        guard System.supportsUDPSegmentationOffload, plan.payloads.count == 1, plan.total > 1 else { return 1 }
        let option = ipv6 ? ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: IPV6_MTU))
            : ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: IP_MTU))
        guard let mtu = try? await channel.getOption(option).get() else { return 1 }
        return Payload.segmentsPerSend(size: plan.payloads[0].count, pathMTU: Int(mtu), ipv6: ipv6)
    }

    /// Waits for one datagram or the timeout; an ICMP port unreachable ends the wait as `.refused`.
    /// `number` is the reply's place in the run (its `seq`).
    private static func nextReply(_ replies: inout NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator,
                                  number: Int, timeout: Duration, destination: Endpoint) async throws -> ReceivedDatagram {
        let iterator = IteratorBox(replies)
        defer { replies = iterator.iterator }
        let reply = try await withThrowingTaskGroup(of: ReceivedDatagram?.self) { group in
            group.addTask { try await iterator.next().map { UDPReceiver.datagram($0, payload: $0.data, sequence: number) } }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let reply else { throw UDPError.timedOut(destination, timeout) }
        return reply
    }

    private static func setMulticastInterface(_ name: String, on channel: Channel, ipv6: Bool) async throws(UDPError) {
        let devices = (try? System.enumerateDevices()) ?? []
        guard let device = devices.first(where: { $0.name == name }) else {
            throw .io("no such interface: \(TerminalText.escape(name)); see `ip link` for the names on this host")
        }
        do {
            if ipv6 {
                let option = ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_if)
                try await channel.setOption(option, value: SocketOptionValue(device.interfaceIndex)).get()
            } else if case .v4(let v4)? = devices.first(where: { $0.name == name && $0.address?.protocol == .inet })?.address {
                // NIO passes option values as an 8-byte Int, which Linux reads as a struct ip_mreq
                // (group, interface): the interface address goes in the upper four bytes.
                let value = SocketOptionValue(bitPattern: UInt(v4.address.sin_addr.s_addr) << 32)
                try await channel.setOption(.ipOption(.ip_multicast_if), value: value).get()
            }
        } catch {
            throw .io("cannot send multicast out of \(name): \(error)")
        }
    }

    /// 255.255.255.255, or the directed broadcast address of one of this host's interfaces.
    static func isBroadcast(_ address: IPAddress) -> Bool {
        if address == .v4(0xFFFF_FFFF) { return true }
        let devices = (try? System.enumerateDevices()) ?? []
        return devices.contains { device in
            guard let broadcast = device.broadcastAddress, let endpoint = Endpoint(broadcast) else { return false }
            return endpoint.address == address
        }
    }
}

/// The first UDP_SEGMENT send was refused by the kernel; `run` starts over without it.
private struct SegmentationRefused: Error {}

/// Lets the reply wait run in a child task while the iterator stays owned by one place.
private final class IteratorBox: @unchecked Sendable {
    var iterator: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator

    init(_ iterator: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> AddressedEnvelope<ByteBuffer>? {
        try await iterator.next()
    }
}
