import Addresses
import Endpoints
import NIOCore
import NIOPosix
import Rendering
import TLS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct ListenOptions: Sendable {
    public var bindHost = "::"
    public var port = 0
    /// listen(2)'s backlog: handshakes the kernel completes and queues before accept()
    /// (capped by net.core.somaxconn).
    public var backlog = 4096
    /// Connections beyond this many are refused as each protocol can say it: file-server answers
    /// the request with 503, the echo and raw servers close at once.
    public var maxConnections: Int?
    /// On shutdown, how long open connections may go on before they are closed.
    public var grace: Duration = .seconds(2)
    /// Told, at most once every ten seconds, when accept(2) fails for want of descriptors or
    /// memory and the server pauses accepting instead of spinning on the error.
    public var onAcceptPause: (@Sendable (String) -> Void)?
    /// TLS in front of every accepted connection; nil for plain TCP.
    public var tls: TLSServerSide?
    /// Told, with the client, when its TLS handshake fails (the connection is then closed).
    public var onTLSFailure: (@Sendable (Endpoint, String) -> Void)?
    /// SO_REUSEADDR, which every server sets so that it can restart while connections of its
    /// last run linger in TIME_WAIT; off (--no-reuse-address) to see what happens without it.
    public var reuseAddress = true
    /// IPV6_V6ONLY on an IPv6 socket: true takes IPv6 clients only; false (Linux's default)
    /// lets `[::]` take IPv4 clients too, as IPv4-mapped addresses.
    public var ipv6Only = false
    /// The most bytes one read of a connection asks for (recv's length); nil: NIO's adaptive
    /// size, 64 KiB at most.
    public var readSize: Int?
    /// Descriptors one connection may hold at once (its socket, plus the file file-server sends):
    /// accepting pauses before the process runs out of them (`DescriptorBudget`).
    public var descriptorsPerConnection = 1

    public init() {}
}

/// Why a server could not start listening, as one sentence.
public enum ServerBindError: CommandFailure, Sendable {
    case badAddress(String)
    /// Address in use, a privileged port, an address not on this host: shared with every command.
    case network(NetworkError)
    /// In use while SO_REUSEADDR was left off (--no-reuse-address).
    case inUseWithoutReuse(Endpoint)

    public var exitStatus: ExitStatus {
        switch self {
        case .badAddress, .inUseWithoutReuse: return .failure
        case .network(let error): return error.exitStatus
        }
    }

    public var endpoint: Endpoint? {
        switch self {
        case .badAddress: return nil
        case .network(let error): return error.endpoint
        case .inUseWithoutReuse(let endpoint): return endpoint
        }
    }

    public var description: String {
        switch self {
        case .badAddress(let text):
            return "'\(TerminalText.escape(text))' is not an IP address of this host; give one such as 127.0.0.1, ::1, 0.0.0.0 or ::"
        case .network(let error):
            return error.description
        case .inUseWithoutReuse(let endpoint):
            return "cannot listen on \(endpoint): address already in use (EADDRINUSE). Without SO_REUSEADDR (--no-reuse-address) "
                + "even connections of an earlier server waiting out TIME_WAIT hold the port, for up to 60 s "
                + "(ss -tan state time-wait sport = :\(endpoint.port) lists them); leave the option out, as servers do"
        }
    }

    static func from(_ error: any Error, endpoint: Endpoint, reuseAddress: Bool) -> ServerBindError {
        let failure = NetworkError.from(error, endpoint: endpoint, transport: .tcp, binding: true)
        if case .addressInUse? = failure, !reuseAddress { return .inUseWithoutReuse(endpoint) }
        return .network(failure ?? .io("cannot listen on \(endpoint): \(error)"))
    }
}

/// A TCP server's listening side, shared by every nettool server: one event loop per core, a
/// registry of open connections (limit, peak, totals), and a graceful stop. `bind` returns once
/// it listens; `run` returns after it stopped accepting (`stop`, or `stopAccepting`) and every
/// connection has ended. Each accepted connection's pipeline comes from `initializer`.
public final class ListeningServer: Sendable {
    private let channel: Channel
    public let registry: ConnectionRegistry
    private let options: ListenOptions
    private let narrator: Narrator
    private let started = ContinuousClock.now
    private let stopRequests = Atomic<Int>(0)
    public let localEndpoint: Endpoint

    private init(channel: Channel, registry: ConnectionRegistry, options: ListenOptions, narrator: Narrator, local: Endpoint) {
        self.channel = channel
        self.registry = registry
        self.options = options
        self.narrator = narrator
        self.localEndpoint = local
    }

    public static func bind(_ options: ListenOptions, narrator: Narrator,
                            initializer: @escaping @Sendable (Channel, ConnectionRegistry) throws -> Void) async throws(ServerBindError) -> ListeningServer {
        guard let bindAddress = IPAddress(options.bindHost), !options.bindHost.contains("/") else {
            throw .badAddress(options.bindHost)
        }
        let wanted = Endpoint(address: bindAddress, port: options.port)
        narrator.step("socket(\(bindAddress.family == .v6 ? "AF_INET6" : "AF_INET"), SOCK_STREAM)",
                      "a TCP socket: a reliable, ordered byte stream between two endpoints, once connected")
        if options.reuseAddress {
            narrator.step("setsockopt(SO_REUSEADDR, 1)",
                          "lets the server restart at once while old connections linger in TIME_WAIT; it does not let two servers share the port")
        } else {
            narrator.step("(no SO_REUSEADDR: --no-reuse-address)",
                          "bind() will fail with EADDRINUSE while any connection on this port waits out TIME_WAIT, as in a program that never sets the option")
        }
        if bindAddress.family == .v6 {
            narrator.step("setsockopt(IPV6_V6ONLY, \(options.ipv6Only ? 1 : 0))",
                          options.ipv6Only ? "IPv6 clients only: an IPv4 client is refused (another socket may take IPv4 on the same port)"
                              : "IPv4 clients are taken too: they appear as IPv4-mapped addresses (::ffff:a.b.c.d), shown here as plain IPv4")
        }
        if let readSize = options.readSize {
            narrator.step("(reads of at most \(readSize) bytes: --read-size)",
                          "each recv() asks for \(readSize) bytes, so whatever arrived comes out in pieces of at most that size")
        }
        let registry = ConnectionRegistry(maxConnections: options.maxConnections)
        let budget = DescriptorBudget(perConnection: options.descriptorsPerConnection)
        let channel: Channel
        do {
            var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: Int32(clamping: options.backlog))
                .serverChannelOption(.socketOption(.so_reuseaddr), value: options.reuseAddress ? 1 : 0)
                // Accept up to 64 queued connections per wake-up (NIO's default is 4), so a burst
                // of thousands of clients does not overflow the accept queue; fewer when the
                // descriptor budget is small, so one wake-up cannot overshoot it.
                .serverChannelOption(.maxMessagesPerRead, value: UInt(min(64, max(1, budget.connections / 8))))
                .serverChannelInitializer { server in
                    server.eventLoop.makeCompletedFuture {
                        try server.pipeline.syncOperations.addHandler(AcceptGate(budget: budget, notice: options.onAcceptPause))
                    }
                }
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.maxMessagesPerRead, value: 16)
            if bindAddress.family == .v6 {
                // IPPROTO_IPV6 level: `.socketOption` would set it at SOL_SOCKET, where it means something else.
                bootstrap = bootstrap.serverChannelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only),
                                                          value: options.ipv6Only ? 1 : 0)
            }
            if let readSize = options.readSize {
                bootstrap = bootstrap.childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readSize))
            }
            channel = try await bootstrap
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        if let tls = options.tls {
                            let peer = child.remoteAddress.flatMap(Endpoint.init)
                            try tls.secure(child, narrator: narrator) { reason in
                                if let peer { options.onTLSFailure?(peer, reason) }
                            }
                        }
                        try initializer(child, registry)
                    }
                }
                .bind(host: options.bindHost, port: options.port).get()
        } catch {
            throw ServerBindError.from(error, endpoint: wanted, reuseAddress: options.reuseAddress)
        }
        let local = channel.localAddress.flatMap(Endpoint.init) ?? wanted
        narrator.step("bind(\(local))",
                      options.port == 0 ? "port 0 asked the kernel for a free port; it gave \(local.port)"
                          : "connections to port \(local.port) now reach this socket"
                          + (bindAddress == .v6(0) && !options.ipv6Only ? "; [::] also takes IPv4 clients (dual-stack)" : ""))
        narrator.step("listen(backlog: \(options.backlog))",
                      "the socket now waits for clients: the kernel completes handshakes by itself and queues up to \(options.backlog) of them for accept()")
        return ListeningServer(channel: channel, registry: registry, options: options, narrator: narrator, local: local)
    }

    /// Waits until the server stopped accepting and every connection ended; the summary.
    /// Cancelling the waiting task stops the server as `stop()` does, so an `async let` or task
    /// group torn down by an error ends with it instead of waiting for ever.
    public func run() async -> ServerSummary {
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
            await registry.drained()
            var summary = registry.summary
            summary.elapsed = .now - started
            return summary
        } onCancel: {
            stop()
        }
    }

    /// Closes the listening socket; connections already accepted go on (for --once).
    public func stopAccepting() {
        registry.stopAccepting()
        channel.close(promise: nil)
    }

    /// Stops accepting and gives open connections `grace` to finish before closing them;
    /// a second call closes them at once.
    public func stop() {
        let requests = stopRequests.wrappingAdd(1, ordering: .relaxed).newValue
        guard requests == 1 else {
            registry.closeAll()
            return
        }
        stopAccepting()
        narrator.step("close(listening socket)",
                      "new clients are now refused; connections already accepted go on for up to \(DurationText.compact(options.grace))")
        let registry = self.registry
        channel.eventLoop.scheduleTask(in: TimeAmount(options.grace)) {
            registry.closeAll()
        }
    }
}

/// How many connections fit in this process's descriptors: the open-file limit, less what the
/// process already holds, less a reserve for files, logs and NIO's own descriptors, divided
/// by what one connection holds. Accepting pauses there, so a connection already accepted can
/// still open the file it asked for instead of failing with EMFILE.
struct DescriptorBudget {
    static let reserve = 16
    let limit: Int
    let connections: Int

    init(perConnection: Int) {
        var rlim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rlim)
        limit = min(Int(clamping: rlim.rlim_cur), Int.max / 2)
        let held = countOpenDescriptors() ?? Self.reserve
        connections = max(1, (limit - held - Self.reserve) / max(1, perConnection))
    }
}

/// The number of descriptors this process has open (entries of /proc/self/fd); nil without /proc.
private func countOpenDescriptors() -> Int? {
    guard let folder = opendir("/proc/self/fd") else { return nil }
    defer { closedir(folder) }
    var count = -1  // opendir's own descriptor is listed too
    while let entry = readdir(folder) {
        if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
    }
    return count
}

/// Stands between accept(2) and the server's clients. It pauses accepting (autoRead off takes
/// the listening socket out of epoll; new clients wait in the backlog) in two cases, and says
/// why at most once every ten seconds:
/// - the descriptor budget is spent: until a connection closes;
/// - accept(2) failed with EMFILE/ENFILE (another part of the process, or the system, took the
///   descriptors) or ENOBUFS/ENOMEM: for a quarter second at a time. The failure would repeat at
///   once and the socket stays readable, so NIO would retry at full CPU; its own
///   AcceptBackoffHandler only delays the next read() call, which never comes while NIO still
///   counts the failed read as pending.
private final class AcceptGate: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private static let pause = TimeAmount.milliseconds(250)
    private let budget: DescriptorBudget
    private let notice: (@Sendable (String) -> Void)?
    private var lastNotice: NIODeadline?
    private var open = 0
    private var full = false

    init(budget: DescriptorBudget, notice: (@Sendable (String) -> Void)?) {
        self.budget = budget
        self.notice = notice
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loop = context.eventLoop
        let gate = NIOLoopBound(self, eventLoop: loop)
        let server = context.channel
        child.closeFuture.whenComplete { _ in
            loop.execute { gate.value.closed(server) }
        }
        if open >= budget.connections && !full {
            full = true
            try? server.syncOptions?.setOption(.autoRead, value: false)
            say("\(open) connections hold the descriptors `ulimit -n` \(budget.limit) leaves for them; new connections wait "
                + "in the backlog until one closes (raise `ulimit -n` for more)")
        }
        context.fireChannelRead(data)
    }

    private func closed(_ server: Channel) {
        open -= 1
        if full && open < budget.connections {
            full = false
            try? server.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let reason = (error as? IOError).flatMap({ Self.reason($0.errnoCode) }),
              let options = context.channel.syncOptions else {
            context.fireErrorCaught(error)
            return
        }
        try? options.setOption(.autoRead, value: false)
        let channel = context.channel
        let gate = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) {
            if !gate.value.full { try? channel.syncOptions?.setOption(.autoRead, value: true) }
        }
        say("accept() failed: \(reason); new connections wait in the backlog, accepting again every 250 ms")
    }

    private func say(_ text: String) {
        let now = NIODeadline.now()
        if lastNotice.map({ now - $0 >= .seconds(10) }) ?? true {
            lastNotice = now
            notice?(text)
        }
    }

    private static func reason(_ code: CInt) -> String? {
        switch code {
        case EMFILE: return "this process has no file descriptor left (EMFILE; raise `ulimit -n`, or lower --max-connections)"
        case ENFILE: return "the system has no file descriptor left (ENFILE)"
        case ENOBUFS: return "the kernel is out of memory for sockets (ENOBUFS)"
        case ENOMEM: return "the kernel is out of memory for sockets (ENOMEM)"
        default: return nil
        }
    }
}
