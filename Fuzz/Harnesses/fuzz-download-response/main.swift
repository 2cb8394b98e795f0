@testable import FileTransfer
import FuzzDriver
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// What download does with a server's bytes: the first byte sets the size of each read, the
/// second whether this is a fresh download or a resume of a saved part; the rest is the
/// response, fed through the pipeline download builds (NIOHTTP1's client handlers, then
/// BodyWriter) with every head judged by ResponsePlan. Never a trap, a resume only on a 206
/// that fits the saved part exactly, and every error becomes a sentence.
runFuzzer { data, size in
    guard size > 2 else { return 0 }
    let piece = Int(data[0]) % 64 + 1
    let resumeFrom = Int(data[1] % 4) * 100
    let saved = resumeFrom > 0 ? PartialFile.Meta(source: "http://h:80/f", validator: "\"v1\"", length: resumeFrom * 3) : nil
    let bytes = UnsafeBufferPointer(start: data + 2, count: size - 2)
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.addHTTPClientHandlers()
        try channel.pipeline.syncOperations.addHandler(BodyWriter<HTTPClientResponsePart>())
        try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/f")))
        try channel.writeOutbound(HTTPClientRequestPart.end(nil))
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                guard case .head(let head) = part else { continue }
                let plan = ResponsePlan(head, resumeFrom: resumeFrom, saved: saved, source: "http://h:80/f")
                switch plan {
                case .resume(let total):
                    let range = head.headers["content-range"].first.flatMap(ContentRange.parse)
                    precondition(head.status.code == 206 && resumeFrom > 0 && range?.range.lowerBound == resumeFrom
                                 && total == saved?.length, "resumed on \(head)")
                case .complete:
                    precondition(head.status.code == 416 && resumeFrom > 0, "complete on \(head)")
                case .fresh:
                    precondition(head.status.code == 200)
                case .redirect, .misfit, .failed:
                    break
                }
            }
            start = end
        }
        // The end of the connection: a response without a length ends here, or is cut short.
        _ = try channel.finish(acceptAlreadyClosed: true)
    } catch let error as HTTPParserError {
        precondition(!DownloadError.sentence(error, server: "127.0.0.1:80").isEmpty)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}
