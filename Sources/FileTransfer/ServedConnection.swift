import Endpoints
import NIOCore
import Serving

/// What both file-server handlers (HTTP and the raw protocol) keep about one connection: its
/// place in the registry, its peer, the bytes it sent, how its requests are logged, and the
/// watch on a file being sent. Confined to the connection's event loop, like its handler.
final class ServedConnection {
    private let registry: ConnectionRegistry
    private let onRequest: @Sendable (ServedRequest) -> Void
    private var id: Int?
    private(set) var peer = Endpoint(address: .v4(0), port: 0)
    /// When the request being answered began.
    var started = ContinuousClock.now
    var sent = 0
    /// The grace period ended and the server closed this connection.
    private(set) var shutDown = false
    private var watch: FileRegionWatch?

    init(registry: ConnectionRegistry, onRequest: @escaping @Sendable (ServedRequest) -> Void) {
        self.registry = registry
        self.onRequest = onRequest
    }

    /// Registers the connection; false when it is over --max-connections.
    func admit(_ context: ChannelHandlerContext) -> Bool {
        peer = context.remoteAddress.flatMap(Endpoint.init) ?? peer
        started = .now
        guard let (id, _) = registry.admit(context.channel) else { return false }
        self.id = id
        return true
    }

    /// The grace period is over: closes, mid-transfer or not, so shutdown always completes.
    func shutDownNow(_ context: ChannelHandlerContext) {
        shutDown = true
        context.close(promise: nil)
    }

    func release() {
        stopWatch()
        if let id { registry.release(id: id, bytes: sent, closedByServer: shutDown) }
    }

    func log(method: String, path: String, status: Int, bytes: Int, note: String?) {
        onRequest(ServedRequest(peer: peer, method: method, path: path, status: status, bytes: bytes,
                                duration: .now - started, note: note))
    }

    /// Watches the file behind a region being sent (up to byte `end`) and closes the connection,
    /// with a reason for the log, if the file shrinks under sendfile.
    func watch(_ fileHandle: NIOFileHandle, end: Int, context: ChannelHandlerContext) {
        watch = try? fileHandle.withUnsafeFileDescriptor { fd in FileRegionWatch(fd: fd, end: end, channel: context.channel) }
    }

    /// Ends the watch; the note for a transfer that did not complete.
    @discardableResult
    func stopWatch() -> String {
        defer { watch = nil }
        return watch?.stop() ?? "the client went away mid-transfer"
    }
}
