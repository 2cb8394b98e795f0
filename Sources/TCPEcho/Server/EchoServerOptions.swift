import Endpoints

public struct EchoServerOptions: Sendable {
    public var bindHost = "::"
    public var port = 0
    /// listen(2)'s backlog: handshakes the kernel completes and queues before accept()
    /// (capped by net.core.somaxconn).
    public var backlog = 4096
    /// Connections beyond this many are accepted and closed at once.
    public var maxConnections: Int?
    /// Close a connection after this long with nothing read or written.
    public var idleTimeout: Duration?
    /// Serve one connection, then exit.
    public var once = false
    /// Echo whole lines only (the framing lesson) instead of bytes as they come.
    public var lineMode = false
    /// On shutdown, how long open connections may go on before they are closed.
    public var grace: Duration = .seconds(2)

    public init() {}
}

/// Why a connection ended, as the server logs it.
public enum CloseReason: String, Sendable {
    case peerClosed = "closed by peer"
    case reset = "reset by peer"
    case idleTimeout = "idle timeout"
    case shutdown = "server shutdown"
    case lineTooLong = "line too long"
    case failed = "error"
}

/// What the server reports as it runs: one event per connection opening and closing.
public enum ServerEvent: Sendable {
    case opened(id: Int, peer: Endpoint, open: Int)
    case closed(id: Int, peer: Endpoint, bytes: Int, duration: Duration, reason: CloseReason)
    /// Over --max-connections: accepted and closed at once.
    case rejected(peer: Endpoint, limit: Int)
}

public struct ServerSummary: Sendable {
    public var connections = 0
    public var rejected = 0
    public var peakConcurrent = 0
    public var bytes = 0
    /// Connections still open when the grace period ended, closed by the server.
    public var closedAtShutdown = 0
    public var elapsed: Duration = .zero
}
