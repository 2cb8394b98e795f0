import Serving

public struct EchoServerOptions: Sendable {
    /// Address, port, backlog, connection limit and grace period.
    public var listen = ListenOptions()
    /// Close a connection after this long with nothing read or written.
    public var idleTimeout: Duration?
    /// Serve one connection, then exit.
    public var once = false
    /// Echo whole lines only (the framing lesson) instead of bytes as they come.
    public var lineMode = false

    public init() {}
}
