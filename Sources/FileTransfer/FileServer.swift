import Endpoints
import NIOCore
import NIOHTTP1
import Rendering
import Serving

/// `file-server`: serves one folder over HTTP/1.1 or the raw lesson protocol.
public final class FileServer: Sendable {
    private let listener: ListeningServer

    public var localEndpoint: Endpoint { listener.localEndpoint }

    private init(listener: ListeningServer) {
        self.listener = listener
    }

    public enum StartError: CommandFailure, Sendable {
        case notAFolder(String)
        case bind(ServerBindError)

        public var exitStatus: ExitStatus {
            switch self {
            case .notAFolder: return .failure
            case .bind(let error): return error.exitStatus
            }
        }

        public var description: String {
            switch self {
            case .notAFolder(let path): return "--root \(path) is not a folder this user can read"
            case .bind(let error): return error.description
            }
        }
    }

    public static func bind(_ options: FileServerOptions, narrator: Narrator,
                            onRequest: @escaping @Sendable (ServedRequest) -> Void) async throws(StartError) -> FileServer {
        guard let root = ServedRoot(options.root, showHidden: options.showHidden) else { throw .notAFolder(options.root) }
        let digests = DigestCache()
        let idle = TimeAmount(options.idleTimeout)
        let listener: ListeningServer
        // Each connection holds its socket and, while it sends one, the file.
        var listen = options.listen
        listen.descriptorsPerConnection = 2
        do {
            listener = try await ListeningServer.bind(listen, narrator: narrator) { child, registry in
                let pipeline = child.pipeline.syncOperations
                try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                switch options.wireProtocol {
                case .raw:
                    try pipeline.addHandler(RawFileHandler(root: root, registry: registry, pauseAfterName: options.rawNamePause,
                                                           narrator: narrator, onRequest: onRequest))
                case .http:
                    try addHTTPHandlers(to: child, root: root, digests: digests, registry: registry, options: options,
                                        narrator: narrator, onRequest: onRequest)
                }
            }
        } catch {
            throw .bind(error)
        }
        return FileServer(listener: listener)
    }

    /// One HTTP connection's handlers after the idle timer (and TLS): the head guard, NIO's HTTP/1.1
    /// codec and the file handler.
    static func addHTTPHandlers(to channel: Channel, root: ServedRoot, digests: DigestCache, registry: ConnectionRegistry,
                                options: FileServerOptions, narrator: Narrator,
                                onRequest: @escaping @Sendable (ServedRequest) -> Void) throws {
        let pipeline = channel.pipeline.syncOperations
        let headGuard = RequestHeadGuard(limit: FileServerOptions.maxHeadBytes, timeout: options.idleTimeout)
        try pipeline.addHandler(headGuard)
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(HTTPFileHandler(root: root, digests: digests, registry: registry, headGuard: headGuard,
                                                encrypted: options.listen.tls != nil, narrator: narrator, onRequest: onRequest))
    }

    public func run() async -> ServerSummary {
        await listener.run()
    }

    public func stop() {
        listener.stop()
    }
}
