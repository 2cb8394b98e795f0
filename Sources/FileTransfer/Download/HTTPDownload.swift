import Endpoints
import NIOCore
import NIOHTTP1
import Rendering
import TLS

/// One HTTP request of a download, and what came of it.
enum HTTPDownload {
    enum Outcome {
        case done(DownloadResult)
        case redirect(String)
    }

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    static func run(_ options: DownloadOptions, source: DownloadSource, part: inout PartialFile, resume: Bool, tls: TLSClientSide?,
                    narrator: Narrator,
                    started: ContinuousClock.Instant,
                    progress: @escaping @Sendable (DownloadProgress) -> Void) async throws(DownloadError) -> Outcome {
        let leftover = part.leftover()
        // Resume only with a validator: without one a changed file would be spliced onto the old bytes.
        let resumeFrom = resume && leftover.bytes > 0 && leftover.meta?.validator != nil && leftover.meta?.source == source.description
            ? leftover.bytes : 0
        var headers = HTTPHeaders()
        headers.add(name: "host", value: source.hostHeader)
        headers.add(name: "user-agent", value: "nettool/0.1")
        headers.add(name: "accept", value: "*/*")
        headers.add(name: "connection", value: "close")
        if resumeFrom > 0, let validator = leftover.meta?.validator {
            headers.add(name: "range", value: "bytes=\(resumeFrom)-")
            headers.add(name: "if-range", value: validator)
        }
        let (connection, endpoint): (Connection, Endpoint) = try await Downloader.connect(source, options: options, tls: tls, narrator: narrator) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(BodyWriter<HTTPClientResponsePart>())
        }
        let server = endpoint.description
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: source.target, headers: headers)
        narrator.step("send() → request head", "GET \(source.target) HTTP/1.1 — " + headers.map { "\($0.name): \($0.value)" }.joined(separator: ", "))
        do {
            let writer = try await BodyWriterHandle<HTTPClientResponsePart>(connection.channel)
            return try await connection.executeThenClose { inbound, outbound in
                // Giving up (an HTTP error, --max-size, a mismatch) aborts: no goodbye is awaited.
                try await ConnectionAbort.onFailure(of: connection.channel) {
                    try await outbound.write(.head(request))
                    try await outbound.write(.end(nil))
                    var iterator = inbound.makeAsyncIterator()
                    guard case .head(let response)? = try await iterator.next() else {
                        throw DownloadError.cutBeforeBody("\(server) closed the connection without sending a response")
                    }
                    narrator.step("recv() → response head", "HTTP/\(response.version.major).\(response.version.minor) \(response.status.code) \(response.status.reasonPhrase) — "
                                  + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: ", "))
                    let plan = ResponsePlan(response, resumeFrom: resumeFrom, saved: leftover.meta, source: source.description)
                    var expectedTotal: Int?
                    switch plan {
                    case .redirect(let location):
                        return .redirect(location)
                    case .resume(let total):
                        try part.open(keeping: true)
                        expectedTotal = total
                        narrator.step("(206: resuming at byte \(resumeFrom))", "the validator still matches: the saved bytes are the start of this very version")
                    case .misfit:
                        try part.open(keeping: false)
                        throw DownloadError.closedEarly(received: 0, expected: nil, from: "\(server) (its range did not fit what is saved; starting over)")
                    case .fresh(let meta):
                        if resumeFrom > 0 {
                            narrator.step("(200: starting over)", "the file changed since the saved part (or the server ignores ranges): the old bytes are dropped, never spliced")
                        }
                        try part.open(keeping: false)
                        expectedTotal = meta.length
                        if meta.length == nil && response.headers["transfer-encoding"].isEmpty {
                            narrator.step("(no Content-Length)", "the body ends when the server closes the connection, so a cut transfer "
                                          + "cannot be told from a complete one, and this download cannot be resumed")
                        }
                        try part.saveMeta(meta)
                    case .complete:
                        try part.open(keeping: true)
                        expectedTotal = resumeFrom
                        narrator.step("(416: the saved part is already the whole file)", "it is checked and renamed; the error page that came with the 416 is not part of it")
                    case .failed:
                        throw DownloadError.httpStatus(code: Int(response.status.code), reason: response.status.reasonPhrase, path: source.target, server: endpoint)
                    }
                    if let limit = options.maxSize, let expectedTotal, expectedTotal > limit {
                        part.discard()
                        throw DownloadError.tooLarge(limit: limit, announced: expectedTotal)
                    }
                    let before = part.size
                    if plan != .complete {
                        try await writer.arm(part, limit: options.maxSize, ticker: ProgressTicker(total: expectedTotal, started: started, report: progress))
                    }
                    // The body goes to the file on the event loop; what comes here is its end (or a
                    // second head, or the connection's end).
                    var streamError: (any Error)?
                    do {
                        if case .head? = try await iterator.next() { throw DownloadError.badResponse("\(server) sent a second response head") }
                    } catch {
                        streamError = error
                    }
                    try part.settle(try await writer.finish())
                    switch streamError {
                    case nil:
                        break
                    case HTTPParserError.invalidEOFState?:
                        // A clean close (FIN) in the middle of the body: as transient as a reset.
                        throw DownloadError.closedEarly(received: part.size, expected: expectedTotal, from: server)
                    case let error? where TLSFailure.isUncleanShutdown(error):
                        // A FIN without TLS's close_notify in the middle of the body: the same as a plain cut.
                        throw DownloadError.closedEarly(received: part.size, expected: expectedTotal, from: server)
                    case let error?:
                        throw error
                    }
                    if let expectedTotal, part.size != expectedTotal {
                        throw DownloadError.closedEarly(received: part.size, expected: expectedTotal, from: server)
                    }
                    progress(DownloadProgress(bytes: part.size, total: expectedTotal, elapsed: .now - started))
                    let sha256 = try await part.digest()
                    let serverDigest = response.headers["repr-digest"].first.flatMap(ReprDigest.sha256)
                    if let serverDigest, serverDigest != sha256 {
                        throw DownloadError.digestMismatch(expected: Hexdump.hexString(serverDigest), actual: Hexdump.hexString(sha256),
                                                           against: "the server's Repr-Digest", kept: part.partPath)
                    }
                    if let wanted = options.expectedSHA256, wanted != sha256 {
                        throw DownloadError.digestMismatch(expected: Hexdump.hexString(wanted), actual: Hexdump.hexString(sha256),
                                                           against: "--sha256", kept: part.partPath)
                    }
                    try part.complete()
                    narrator.step("fsync() + rename(\(part.partPath) → \(part.finalPath))",
                                  "the file gets its final name only when every byte is on disk and checked")
                    return .done(DownloadResult(path: part.finalPath, bytes: part.size, transferred: part.size - before,
                                                resumedFrom: before, elapsed: .now - started, sha256: sha256,
                                                serverDigestChecked: serverDigest != nil))
                }
            }
        } catch {
            part.closeFile()
            throw DownloadError.from(error, server: endpoint, timeout: options.timeout)
        }
    }
}

/// What one response head means for the part file. Pure: the fuzz harness drives it with
/// whatever the HTTP decoder makes of hostile bytes.
enum ResponsePlan: Equatable {
    case redirect(String)
    /// A 206 of exactly the rest of the saved version: append; the whole file is that long.
    case resume(total: Int?)
    /// A 206 that does not fit what is saved (another start, size or validator): start over.
    case misfit
    /// A 200: the whole file, from the start, described by `meta`.
    case fresh(PartialFile.Meta)
    /// A 416 to a resume of a part that is already the whole file.
    case complete
    /// Any other status: the download fails with it.
    case failed

    init(_ response: HTTPResponseHead, resumeFrom: Int, saved: PartialFile.Meta?, source: String) {
        let code = Int(response.status.code)
        if (300..<400).contains(code), code != 304, let location = response.headers["location"].first {
            self = .redirect(location)
            return
        }
        let validator = response.headers["etag"].first.flatMap { $0.hasPrefix("W/") ? nil : $0 }
            ?? response.headers["last-modified"].first
        switch code {
        case 206 where resumeFrom > 0:
            // Append only when the server sends exactly the rest of the same version.
            guard let range = response.headers["content-range"].first.flatMap(ContentRange.parse),
                  range.range.lowerBound == resumeFrom, range.size == saved?.length ?? range.size,
                  validator == nil || validator == saved?.validator else {
                self = .misfit
                return
            }
            self = .resume(total: range.size)
        case 200:
            let length = response.headers["content-length"].first.flatMap { Int($0) }
            self = .fresh(PartialFile.Meta(source: source, validator: validator, length: length))
        case 416 where resumeFrom > 0 && resumeFrom == saved?.length:
            // Nothing left to send: the part is the whole file. The body is an error page.
            self = .complete
        default:
            self = .failed
        }
    }
}

/// `Repr-Digest: sha-256=:BASE64:` (RFC 9530), the SHA-256 entry only. Pure.
enum ReprDigest {
    static func sha256(_ header: String) -> [UInt8]? {
        for member in header.split(separator: ",") {
            let text = member.trimmingSpaces
            guard text.lowercased().hasPrefix("sha-256=:"), text.hasSuffix(":"), text.count > 10 else { continue }
            return Base64.decode(String(text.dropFirst(9).dropLast()))
        }
        return nil
    }
}
