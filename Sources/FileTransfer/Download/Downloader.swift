import Endpoints
import NIOCore
import NIOHTTP1
import NIOPosix
import ProcessIO
import Rendering

public struct DownloadOptions: Sendable {
    public var source: DownloadSource
    public var output: String
    /// Resume `OUTPUT.part` when its validator still matches (`-c`).
    public var resume = false
    public var retries = 3
    public var maxRedirects = 5
    public var connectTimeout: Duration = .seconds(5)
    /// A transfer that receives nothing for this long fails (and is retried).
    public var timeout: Duration = .seconds(30)
    public var expectedSHA256: [UInt8]?
    /// Stop (and keep nothing) once the body is larger than this many bytes.
    public var maxSize: Int?

    public init(source: DownloadSource, output: String) {
        self.source = source
        self.output = output
    }

    /// The download of `source` (http:// or raw://), saved as `saveAs` or else under the
    /// source's own file name; throws the sentence when either cannot be used.
    public init(source text: String, saveAs: String?) throws(DownloadSource.ParseError) {
        let source = try DownloadSource.parse(text)
        if let saveAs, isFolder(saveAs) { throw .outputIsFolder(saveAs) }
        if let saveAs { self.init(source: source, output: saveAs) } else { self.init(source: source, output: try source.savedName()) }
    }
}

public struct DownloadProgress: Sendable {
    public let bytes: Int
    public let total: Int?
    public let elapsed: Duration
}

public struct DownloadResult: Sendable {
    public let path: String
    public let bytes: Int
    /// Bytes this run fetched (less than `bytes` after a resume).
    public let transferred: Int
    public let resumedFrom: Int
    public let elapsed: Duration
    public let sha256: [UInt8]
    /// Whether the server sent a Repr-Digest, which matched.
    public let serverDigestChecked: Bool
}

/// `download`: HTTP/1.1 (with resume that never splices two versions) or the raw protocol.
public enum Downloader {
    public static func run(_ options: DownloadOptions, narrator: Narrator,
                           progress: @escaping @Sendable (DownloadProgress) -> Void) async throws(DownloadError) -> DownloadResult {
        var part = PartialFile(finalPath: options.output)
        try part.checkNoLinks()
        let started = ContinuousClock.now
        var resume = options.resume
        var attempt = 0
        while true {
            do {
                let result = try await attemptOnce(options, part: &part, resume: resume, narrator: narrator, started: started, progress: progress)
                return result
            } catch {
                part.closeFile()
                guard error.isTransient, attempt < options.retries else { throw error }
                attempt += 1
                let delay = Duration.milliseconds(250 << min(attempt, 5))
                narrator.step("(retry \(attempt) of \(options.retries) in \(DurationText.compact(delay)))",
                              "\(error); the next attempt resumes from what is already saved, if the server's validator still matches")
                try? await Task.sleep(for: delay)
                resume = true
            }
        }
    }

    private static func attemptOnce(_ options: DownloadOptions, part: inout PartialFile, resume: Bool, narrator: Narrator,
                                    started: ContinuousClock.Instant,
                                    progress: @escaping @Sendable (DownloadProgress) -> Void) async throws(DownloadError) -> DownloadResult {
        switch options.source.scheme {
        case .raw:
            return try await RawDownload.run(options, part: &part, narrator: narrator, started: started, progress: progress)
        case .http:
            var source = options.source
            for _ in 0...options.maxRedirects {
                switch try await HTTPDownload.run(options, source: source, part: &part, resume: resume, narrator: narrator,
                                                  started: started, progress: progress) {
                case .done(let result):
                    return result
                case .redirect(let location):
                    do {
                        source = try source.resolving(location: location)
                    } catch {
                        throw .source(error)
                    }
                    guard source.scheme == .http else { throw .badResponse("redirected to \(source), which is not http://") }
                    narrator.step("(redirect → \(source))", "the server said the file is elsewhere; a new request goes there")
                }
            }
            throw .tooManyRedirects(options.maxRedirects)
        }
    }

    /// Resolves and connects (`Connector`), with `initializer` building the pipeline behind
    /// the read timeout that fails a stalled transfer.
    static func connect<Inbound: Sendable, Outbound: Sendable>(
        _ source: DownloadSource, options: DownloadOptions, narrator: Narrator,
        initializer: @escaping @Sendable (Channel) throws -> Void
    ) async throws(DownloadError) -> (NIOAsyncChannel<Inbound, Outbound>, Endpoint) {
        let connector = Connector(host: source.host, port: source.port, family: .any,
                                  connectTimeout: options.connectTimeout, narrator: narrator)
        let timeout = TimeAmount(options.timeout)
        do {
            let (channel, server, _) = try await connector.connect(try connector.resolve(.tcp)) { address in
                try await connector.bootstrap().connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                        try channel.pipeline.syncOperations.addHandler(StallGuard())
                        try initializer(channel)
                        return try NIOAsyncChannel<Inbound, Outbound>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
            }
            return (channel, server)
        } catch {
            throw .network(error)
        }
    }
}

/// Nothing arrived for the read timeout: fail the channel so the transfer is retried.
struct StallError: Error {}

final class StallGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case IdleStateHandler.IdleStateEvent.read = event {
            context.fireErrorCaught(StallError())
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
