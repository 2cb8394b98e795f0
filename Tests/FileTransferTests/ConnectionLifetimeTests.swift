import Foundation
import NIOCore
import NIOEmbedded
import Rendering
import Serving
import Synchronization
import Testing
@testable import FileTransfer

/// Requests the handlers under test logged.
private final class RequestLog: Sendable {
    private let entries = Mutex<[ServedRequest]>([])
    var all: [ServedRequest] { entries.withLock { $0 } }
    func append(_ request: ServedRequest) { entries.withLock { $0.append(request) } }
}

/// Weak references to one connection's handlers: nil once nothing holds them.
private struct Handlers {
    weak var file: HTTPFileHandler?
    weak var headGuard: RequestHeadGuard?
}

@Suite("A file-server connection's handlers end with the connection")
struct ConnectionLifetimeTests {
    /// An HTTP connection's pipeline as file-server builds it, on an embedded channel; returns weak
    /// references to its handlers once the channel is closed and dropped.
    private static func connection(root: String, log: RequestLog, _ body: (EmbeddedChannel) throws -> Void) throws -> Handlers {
        var handlers = Handlers()
        do {
            let channel = EmbeddedChannel()
            let options = FileServerOptions()
            try FileServer.addHTTPHandlers(to: channel, root: try #require(ServedRoot(root, showHidden: false)), digests: DigestCache(),
                                           registry: ConnectionRegistry(maxConnections: nil), options: options,
                                           narrator: Narrator(enabled: false) { _ in }) { log.append($0) }
            handlers.file = try channel.pipeline.syncOperations.handler(type: HTTPFileHandler.self)
            handlers.headGuard = try channel.pipeline.syncOperations.handler(type: RequestHeadGuard.self)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try body(channel)
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
        return handlers
    }

    @Test("a connection that opens and closes leaves neither the file handler nor the head guard behind")
    func plainConnection() throws {
        let handlers = try Self.connection(root: NSTemporaryDirectory(), log: RequestLog()) { channel in
            #expect(channel.isActive)
        }
        #expect(handlers.file == nil, "the HTTP file handler outlived its connection")
        #expect(handlers.headGuard == nil, "the request head guard outlived its connection")
    }

    @Test("a head over the limit is answered 431, logged through the handler, and both handlers still end")
    func refusedHead() throws {
        let log = RequestLog()
        let handlers = try Self.connection(root: NSTemporaryDirectory(), log: log) { channel in
            let head = "GET / HTTP/1.1\r\nX-Padding: " + String(repeating: "x", count: FileServerOptions.maxHeadBytes + 1)
            try channel.writeInbound(ByteBuffer(string: head))
            let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(String(buffer: answer).hasPrefix("HTTP/1.1 431 "))
        }
        #expect(log.all.map(\.status) == [431])
        #expect(log.all.first?.note == "request head over \(FileServerOptions.maxHeadBytes) bytes")
        #expect(handlers.file == nil && handlers.headGuard == nil, "a refused connection's handlers outlived it")
    }
}
