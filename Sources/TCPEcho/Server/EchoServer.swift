import Endpoints
import NIOCore
import Rendering
import Serving
import Synchronization

/// A concurrent TCP echo server: one event loop per core, each connection handled by an
/// `EchoHandler` on its loop. `bind` returns once it listens; `run` returns after it stopped
/// accepting (`stop`, or the first connection with --once) and every connection has ended.
public final class EchoServer: Sendable {
    private let listener: ListeningServer

    public var localEndpoint: Endpoint { listener.localEndpoint }

    private init(listener: ListeningServer) {
        self.listener = listener
    }

    public static func bind(_ options: EchoServerOptions, narrator: Narrator,
                            onEvent: @escaping @Sendable (ServerEvent) -> Void) async throws(TCPError) -> EchoServer {
        // Set once listening; --once stops accepting when the first connection is admitted.
        let once = OnceLatch()
        let listener: ListeningServer
        do {
            listener = try await ListeningServer.bind(options.listen, narrator: narrator) { child, registry in
                let pipeline = child.pipeline.syncOperations
                if let idle = options.idleTimeout {
                    try pipeline.addHandler(IdleStateHandler(allTimeout: TimeAmount(idle)))
                }
                try pipeline.addHandler(BackPressureHandler())
                try pipeline.addHandler(EchoHandler(options: options, registry: registry, narrator: narrator,
                                                    onEvent: onEvent, onAdmitted: { if options.once { once.fire() } }))
            }
        } catch {
            throw .bind(error)
        }
        once.set { listener.stopAccepting() }
        return EchoServer(listener: listener)
    }

    /// Waits until the server stopped accepting and every connection ended; the summary.
    public func run() async -> ServerSummary {
        await listener.run()
    }

    /// Stops accepting and gives open connections the grace period; a second call closes them.
    public func stop() {
        listener.stop()
    }
}

/// Runs an action once it is both set and fired, in whichever order the two happen: --once may
/// admit its connection before `bind` has handed back the listener to stop.
private final class OnceLatch: Sendable {
    private struct State {
        var action: (@Sendable () -> Void)?
        var fired = false
    }

    private let state = Mutex(State())

    func set(_ action: @escaping @Sendable () -> Void) {
        let run = state.withLock { state in
            state.action = action
            return state.fired
        }
        if run { action() }
    }

    func fire() {
        let action = state.withLock { state in
            state.fired = true
            return state.action
        }
        action?()
    }
}
