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
    /// From the socket's creation to the end of sending (the replies waited for included, the
    /// linger after the last datagram not).
    public var elapsed: Duration = .zero
    /// Every ICMP port unreachable the socket got, in order.
    public var portUnreachable: [PortUnreachable] = []

    public var rate: Double { elapsed.seconds > 0 ? Double(datagrams) / elapsed.seconds : 0 }

    /// What the run ends with once its summary is out: refused (exit 4) when an ICMP port
    /// unreachable came back, else nil.
    public var failure: UDPError? { portUnreachable.isEmpty ? nil : .network(.refused(destination, .udp)) }
}

/// Sends datagrams from a connected UDP socket. Connecting sends nothing; it fixes the
/// destination, so the kernel reports an ICMP port unreachable back to us as ECONNREFUSED
/// (an unconnected socket never hears of it).
public enum UDPSender {
    /// `onPortUnreachable` hears of each ICMP port unreachable as it is noticed (all of them are
    /// in the summary too); `onReply` gets each reply with --wait-reply.
    public static func run(_ options: UDPSendOptions, plan: PayloadPlan, narrator: Narrator,
                           onPortUnreachable: (PortUnreachable) -> Void = { _ in },
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
        let watch = PortUnreachableWatch(destination: destination)
        do {
            channel = try await bootstrap.bind(host: bindHost, port: options.sourcePort ?? 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Ahead of the async channel's handler, so it sees every ICMP error first.
                    try channel.pipeline.syncOperations.addHandler(watch)
                    return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(backPressureStrategy: .init(lowWatermark: 64, highWatermark: 256)))
                }
            }
        } catch {
            throw UDPError.from(error, endpoint: bindEndpoint, binding: true)
        }
        let start = ContinuousClock.now
        var summary: SendSummary
        do {
            // Everything after the socket exists runs inside executeThenClose, so it is closed on every path.
            summary = try await channel.executeThenClose { inbound, _ in
                if let name = options.multicastInterface {
                    try await setMulticastInterface(name, on: channel.channel, ipv6: isIPv6)
                }
                try await channel.channel.connect(to: remote).get()
                let source = channel.channel.localAddress.flatMap(Endpoint.init)
                narrator.step("connect(\(destination)) from \(source.map(\.description) ?? "?")",
                              "no packet is sent: UDP connect only fixes the destination. "
                                  + (options.sourcePort == nil ? "The kernel picked the ephemeral source port \(source?.port ?? 0)." : ""))
                var summary = SendSummary(destination: destination, source: source)
                let run = SendRun(options: options, plan: plan, remote: remote, destination: destination, start: start,
                                  channel: channel.channel, watch: watch, narrator: narrator)
                do {
                    try await run.send(inbound: inbound, ipv6: isIPv6, summary: &summary, onPortUnreachable: onPortUnreachable, onReply: onReply)
                } catch where PortUnreachable.matches(error) {
                    // The kernel handed a pending port unreachable to a send, which failed; NIO closed the socket.
                    watch.sendFailed(after: summary.datagrams)
                }
                summary.elapsed = ContinuousClock.now - start
                try await run.linger(summary: &summary, onPortUnreachable: onPortUnreachable)
                return summary
            }
        } catch is SegmentationRefused {
            // Nothing was sent yet and NIO closed the socket on the error: start again without GSO.
            var plain = options
            plain.segmentation = false
            return try await run(plain, plan: plan, narrator: narrator, onPortUnreachable: onPortUnreachable, onReply: onReply)
        } catch {
            throw UDPError.from(error, endpoint: destination)
        }
        narrator.step("close()", "the socket and its ephemeral port are released")
        return summary
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
struct SegmentationRefused: Error {}
