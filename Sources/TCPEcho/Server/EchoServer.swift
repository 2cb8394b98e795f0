import Addresses
import Endpoints
import NIOCore
import NIOPosix
import Rendering
import Synchronization

/// A concurrent TCP echo server: one event loop per core, each connection handled by an
/// `EchoHandler` on its loop. `bind` returns once it listens; `run` returns after it stopped
/// accepting (`stop`, or the first connection with --once) and every connection has ended.
public final class EchoServer: Sendable {
    private let channel: Channel
    private let registry: ConnectionRegistry
    private let options: EchoServerOptions
    private let narrator: Narrator
    private let started = ContinuousClock.now
    private let stopRequests = Atomic<Int>(0)
    public let localEndpoint: Endpoint

    private init(channel: Channel, registry: ConnectionRegistry, options: EchoServerOptions, narrator: Narrator, local: Endpoint) {
        self.channel = channel
        self.registry = registry
        self.options = options
        self.narrator = narrator
        self.localEndpoint = local
    }

    public static func bind(_ options: EchoServerOptions, narrator: Narrator,
                            onEvent: @escaping @Sendable (ServerEvent) -> Void) async throws(TCPError) -> EchoServer {
        guard let bindAddress = IPAddress(options.bindHost), !options.bindHost.contains("/") else {
            throw .badAddress(options.bindHost)
        }
        ResourceLimits.raiseOpenFiles()
        let wanted = Endpoint(address: bindAddress, port: options.port)
        narrator.step("socket(\(bindAddress.family == .v6 ? "AF_INET6" : "AF_INET"), SOCK_STREAM)",
                      "a TCP socket: a reliable, ordered byte stream between two endpoints, once connected")
        narrator.step("setsockopt(SO_REUSEADDR, 1)",
                      "lets the server restart at once while old connections linger in TIME_WAIT; it does not let two servers share the port")
        let registry = ConnectionRegistry(maxConnections: options.maxConnections)
        // Set once the server channel exists; --once closes it when the first connection is admitted.
        let listener = Mutex<Channel?>(nil)
        let once = options.once
        let onAdmitted: @Sendable () -> Void = {
            guard once else { return }
            registry.stopAccepting()
            listener.withLock { $0 }?.close(promise: nil)
        }
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: Int32(clamping: options.backlog))
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                // Accept up to 64 queued connections per wake-up (NIO's default is 4), so a burst
                // of thousands of clients does not overflow the accept queue.
                .serverChannelOption(.maxMessagesPerRead, value: 64)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        let pipeline = child.pipeline.syncOperations
                        if let idle = options.idleTimeout {
                            try pipeline.addHandler(IdleStateHandler(allTimeout: .nanoseconds(Int64(idle.seconds * 1e9))))
                        }
                        try pipeline.addHandler(EchoHandler(options: options, registry: registry, narrator: narrator,
                                                            onEvent: onEvent, onAdmitted: onAdmitted))
                    }
                }
                .bind(host: options.bindHost, port: options.port).get()
        } catch {
            throw TCPError.from(error, endpoint: wanted, binding: true)
        }
        listener.withLock { $0 = channel }
        let local = channel.localAddress.flatMap(Endpoint.init) ?? wanted
        narrator.step("bind(\(local))",
                      options.port == 0 ? "port 0 asked the kernel for a free port; it gave \(local.port)"
                          : "connections to port \(local.port) now reach this socket"
                          + (bindAddress == .v6(0) ? "; [::] also takes IPv4 clients (dual-stack)" : ""))
        narrator.step("listen(backlog: \(options.backlog))",
                      "the socket now waits for clients: the kernel completes handshakes by itself and queues up to \(options.backlog) of them for accept()")
        return EchoServer(channel: channel, registry: registry, options: options, narrator: narrator, local: local)
    }

    /// Waits until the server stopped accepting and every connection ended; the summary.
    public func run() async -> ServerSummary {
        try? await channel.closeFuture.get()
        await registry.drained()
        var summary = registry.summary
        summary.elapsed = .now - started
        return summary
    }

    /// Stops accepting and gives open connections `grace` to finish before closing them;
    /// a second call closes them at once.
    public func stop() {
        let requests = stopRequests.wrappingAdd(1, ordering: .relaxed).newValue
        guard requests == 1 else {
            registry.closeAll()
            return
        }
        registry.stopAccepting()
        channel.close(promise: nil)
        narrator.step("close(listening socket)",
                      "new clients are now refused; connections already accepted go on for up to \(DurationText.compact(options.grace))")
        let registry = self.registry
        channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(options.grace.seconds * 1e9))) {
            registry.closeAll()
        }
    }
}
