import Endpoints

/// Why a connection ended, as the server logs it.
public enum CloseReason: String, Sendable {
    case peerClosed = "closed by peer"
    case reset = "connection reset by peer"
    case idleTimeout = "idle timeout"
    case shutdown = "server shutdown"
    case lineTooLong = "line over 64 KiB without a newline (--line)"
    case failed = "error"
}

/// What the server reports as it runs: one event per connection opening and closing.
public enum ServerEvent: Sendable {
    case opened(id: Int, peer: Endpoint, open: Int)
    case closed(id: Int, peer: Endpoint, bytes: Int, duration: Duration, reason: CloseReason)
    /// Over --max-connections: accepted and closed at once.
    case rejected(peer: Endpoint, limit: Int)
}
