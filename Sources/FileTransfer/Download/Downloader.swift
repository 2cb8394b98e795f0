import Addresses
import Endpoints
import NIOCore
import NIOHTTP1
import NIOPosix
import ProcessIO
import Rendering
import Synchronization
import TLS

public struct DownloadOptions: Sendable {
    public var source: DownloadSource
    public var output: String
    /// Resume `OUTPUT.part` when its validator still matches (`-c`).
    public var resume = false
    public var retries = 3
    /// A fixed pause between retries (curl's --retry-delay); nil: 0.5 s, doubling up to 8 s.
    public var retryDelay: Duration?
    public var maxRedirects = 5
    public var connectTimeout: Duration = .seconds(5)
    /// A transfer that receives nothing for this long fails (and is retried).
    public var timeout: Duration = .seconds(30)
    public var expectedSHA256: [UInt8]?
    /// Stop (and keep nothing) once the body is larger than this many bytes.
    public var maxSize: Int?
    /// How https:// servers are checked (--cacert, --insecure) and the key log (--keylog).
    public var tls = TLSClientOptions()
    /// curl's --resolve: `HOST:PORT` → the address to connect to instead of resolving HOST.
    public var resolve: [String: IPAddress] = [:]
    /// Follow a redirect from https:// to http:// (refused by default: it would drop the encryption).
    public var allowDowngrade = false
    /// Told before each retry: which attempt comes next, when, and why (never a silent wait).
    public var onRetry: (@Sendable (RetryNotice) -> Void)?

    public init(source: DownloadSource, output: String) {
        self.source = source
        self.output = output
    }

    /// curl's --resolve entries, HOST:PORT:ADDRESS (ADDRESS may be in brackets), keyed by HOST:PORT.
    public static func resolveTable(_ entries: [String]) throws(DownloadSource.ParseError) -> [String: IPAddress] {
        var table: [String: IPAddress] = [:]
        for entry in entries {
            let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port),
                  let address = IPAddress(String(parts[2].filter { $0 != "[" && $0 != "]" })) else {
                throw .malformed("--resolve takes HOST:PORT:ADDRESS (e.g. example.test:443:127.0.0.1); got '\(TerminalText.escape(entry))'")
            }
            table["\(parts[0]):\(port)"] = address
        }
        return table
    }

    /// The download of `source` (http:// or raw://), saved as `saveAs` or else under the
    /// source's own file name; throws the sentence when either cannot be used.
    public init(source text: String, saveAs: String?) throws(DownloadSource.ParseError) {
        let source = try DownloadSource.parse(text)
        if let saveAs, isFolder(saveAs) { throw .outputIsFolder(saveAs) }
        if let saveAs { self.init(source: source, output: saveAs) } else { self.init(source: source, output: try source.savedName()) }
    }
}

/// A retry about to happen: attempt `attempt` of `attempts`, after `delay`, because of `reason`.
public struct RetryNotice: Sendable, CustomStringConvertible {
    public let attempt: Int
    public let attempts: Int
    public let delay: Duration
    public let reason: String

    public var description: String {
        "retrying in \(DurationText.compact(delay)) (attempt \(attempt) of \(attempts)): \(reason)"
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
        try part.checkFolder()
        let tls = TLSClientCache(options.tls)
        if options.source.scheme == .https { _ = try tls.client() }
        let started = ContinuousClock.now
        var resume = options.resume
        var attempt = 0
        while true {
            do {
                let result = try await attemptOnce(options, part: &part, resume: resume, tls: tls, narrator: narrator, started: started,
                                                   progress: progress)
                return result
            } catch {
                part.closeFile()
                guard error.isTransient, attempt < options.retries else {
                    part.discardIfUnresumable(after: error)
                    throw error
                }
                attempt += 1
                let delay = options.retryDelay ?? .milliseconds(250 << min(attempt, 5))
                options.onRetry?(RetryNotice(attempt: attempt + 1, attempts: options.retries + 1, delay: delay, reason: error.description))
                narrator.step("(retry \(attempt) of \(options.retries) in \(DurationText.compact(delay)))",
                              "\(error); the next attempt resumes from what is already saved, if the server's validator still matches")
                try? await Task.sleep(for: delay)
                resume = true
            }
        }
    }

    private static func attemptOnce(_ options: DownloadOptions, part: inout PartialFile, resume: Bool, tls: TLSClientCache, narrator: Narrator,
                                    started: ContinuousClock.Instant,
                                    progress: @escaping @Sendable (DownloadProgress) -> Void) async throws(DownloadError) -> DownloadResult {
        switch options.source.scheme {
        case .raw:
            return try await RawDownload.run(options, part: &part, narrator: narrator, started: started, progress: progress)
        case .http, .https:
            var source = options.source
            for _ in 0...options.maxRedirects {
                let client = source.scheme == .https ? try tls.client() : nil
                switch try await HTTPDownload.run(options, source: source, part: &part, resume: resume, tls: client, narrator: narrator,
                                                  started: started, progress: progress) {
                case .done(let result):
                    return result
                case .redirect(let location):
                    let previous = source
                    do {
                        source = try previous.resolving(location: location)
                    } catch {
                        throw .badResponse("\(previous) redirected to '\(TerminalText.escape(location))', which download does not follow: \(error)")
                    }
                    guard source.scheme != .raw else { throw .badResponse("redirected to \(source), which is not http:// or https://") }
                    if previous.scheme == .https && source.scheme == .http && !options.allowDowngrade {
                        throw .badResponse("\(previous) redirected to \(source): from https to plain http, where anyone on the path "
                                           + "could read or change the file; refused (pass --allow-downgrade to follow it)")
                    }
                    narrator.step("(redirect → \(source))", "the server said the file is elsewhere; a new request goes there")
                }
            }
            throw .tooManyRedirects(options.maxRedirects)
        }
    }

    /// Resolves and connects (`Connector`), with `initializer` building the pipeline behind
    /// the read timeout that fails a stalled transfer.
    static func connect<Inbound: Sendable, Outbound: Sendable>(
        _ source: DownloadSource, options: DownloadOptions, tls: TLSClientSide?, narrator: Narrator,
        initializer: @escaping @Sendable (Channel) throws -> Void
    ) async throws(DownloadError) -> (NIOAsyncChannel<Inbound, Outbound>, Endpoint) {
        var connector = Connector(host: source.host, port: source.port, family: .any,
                                  connectTimeout: options.connectTimeout, narrator: narrator)
        connector.tls = tls
        connector.address = options.resolve["\(source.host):\(source.port)"]
        let timeout = TimeAmount(options.timeout)
        do {
            let (channel, server, _) = try await connector.connect(try connector.resolve(.tcp)) { address in
                try await connector.open(address) { channel in
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(StallGuard())
                    try initializer(channel)
                    return try NIOAsyncChannel<Inbound, Outbound>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
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
            ConnectionAbort.close(context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// The TLS client of one download, made when the first https:// connection needs it (so a
/// plain http:// download never reads the trust store) and kept for its retries and redirects.
final class TLSClientCache: Sendable {
    private let options: TLSClientOptions
    private let made = Mutex<TLSClientSide?>(nil)

    init(_ options: TLSClientOptions) {
        var options = options
        options.protocols = ["http/1.1"]
        self.options = options
    }

    func client() throws(DownloadError) -> TLSClientSide {
        if let client = made.withLock({ $0 }) { return client }
        do {
            let client = try TLSClientSide(options)
            if let warning = client.warning { printError("nettool: \(warning)") }
            made.withLock { $0 = client }
            return client
        } catch {
            throw .network(.tls(Endpoint(address: .v4(0), port: 0), error))
        }
    }
}
