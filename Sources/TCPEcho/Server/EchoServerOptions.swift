import Serving

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

    var listen: ListenOptions {
        var listen = ListenOptions()
        listen.bindHost = bindHost
        listen.port = port
        listen.backlog = backlog
        listen.maxConnections = maxConnections
        listen.grace = grace
        return listen
    }
}
