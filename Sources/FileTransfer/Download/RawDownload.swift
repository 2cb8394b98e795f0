import Endpoints
import NIOCore
import Rendering

/// A download over the lesson protocol: send the name, half-close, read until the server
/// closes. There is no length and no status, so nothing can be resumed or checked against the
/// server; an empty answer means the file was missing or refused.
enum RawDownload {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func run(_ options: DownloadOptions, part: inout PartialFile, narrator: Narrator, started: ContinuousClock.Instant,
                    progress: @escaping @Sendable (DownloadProgress) -> Void) async throws(DownloadError) -> DownloadResult {
        let source = options.source
        let (connection, endpoint): (Connection, Endpoint) = try await Downloader.connect(source, options: options, tls: nil, narrator: narrator) { channel in
            try channel.pipeline.syncOperations.addHandler(BodyWriter<ByteBuffer>())
        }
        let server = endpoint.description
        try part.open(keeping: false)
        do {
            let writer = try await BodyWriterHandle<ByteBuffer>(connection.channel)
            try await writer.arm(part, limit: options.maxSize, ticker: ProgressTicker(total: nil, started: started, report: progress))
            return try await connection.executeThenClose { inbound, outbound in
                narrator.step("send(\"\(source.target)\") + shutdown(SHUT_WR)",
                              "the request is the bare file name; the half-close tells the server the name is complete")
                try await outbound.write(ByteBuffer(string: source.target))
                outbound.finish()
                // The bytes go to the file on the event loop; nothing but the end comes here.
                var streamError: (any Error)?
                do {
                    for try await _ in inbound {}
                } catch {
                    streamError = error
                }
                try part.settle(try await writer.finish())
                if let streamError { throw streamError }
                narrator.step("recv() → 0 (FIN)", "the server closed: in this protocol that is the only sign the file is complete")
                guard part.size > 0 else {
                    part.discard()
                    throw DownloadError.emptyRaw(name: source.target, server: server)
                }
                progress(DownloadProgress(bytes: part.size, total: part.size, elapsed: .now - started))
                let sha256 = try await part.digest()
                if let wanted = options.expectedSHA256, wanted != sha256 {
                    throw DownloadError.digestMismatch(expected: Hexdump.hexString(wanted), actual: Hexdump.hexString(sha256),
                                                       against: "--sha256", kept: part.partPath)
                }
                try part.complete()
                return DownloadResult(path: part.finalPath, bytes: part.size, transferred: part.size, resumedFrom: 0,
                                      elapsed: .now - started, sha256: sha256, serverDigestChecked: false)
            }
        } catch {
            part.closeFile()
            throw DownloadError.from(error, server: endpoint, timeout: options.timeout)
        }
    }
}
