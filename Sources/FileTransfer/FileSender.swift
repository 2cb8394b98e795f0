import NIOCore
import NIOPosix

/// Sends `span` of an open file down a connection a piece at a time, each piece written once the
/// one before is in the socket: a sendfile(2) region of up to 1 MiB, or over TLS 1 MiB read on
/// the thread pool for NIOSSL to seal (sendfile would bypass the encryption), so memory stays
/// flat. Counting the pieces written is what lets a transfer the client cut short be logged with
/// the bytes that did go out (to within a piece), not 0.
struct FileSender {
    static let pieceSize = 1 << 20

    /// The file ended `available` bytes into the span: it was truncated while being sent.
    struct FileEnded: Error {
        let available: Int
    }

    let fileHandle: NIOFileHandle
    let span: Range<Int>
    let encrypted: Bool
    /// Frames a piece for the pipeline: an HTTP body part, or the bytes themselves.
    let wrap: (IOData) -> NIOAny
    /// Told once: the bytes written, and why the transfer stopped early (nil once it is all out).
    let done: (_ sent: Int, _ failure: (any Error)?) -> Void

    func send(from offset: Int, context: ChannelHandlerContext) {
        let piece = offset..<min(offset + Self.pieceSize, span.upperBound)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        write(piece, context: context).whenComplete { result in
            let (sender, context) = bound.value
            switch result {
            case .success where piece.upperBound < sender.span.upperBound:
                sender.send(from: piece.upperBound, context: context)
            case .success:
                sender.done(sender.span.count, nil)
            case .failure(let error):
                sender.done(offset - sender.span.lowerBound, error)
            }
        }
    }

    private func write(_ piece: Range<Int>, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        guard encrypted else {
            let region = FileRegion(fileHandle: fileHandle, readerIndex: piece.lowerBound, endIndex: piece.upperBound)
            return context.writeAndFlush(wrap(.fileRegion(region)))
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let start = span.lowerBound
        return NonBlockingFileIO(threadPool: .singleton).read(
            fileHandle: fileHandle, fromOffset: Int64(piece.lowerBound), byteCount: piece.count,
            allocator: context.channel.allocator, eventLoop: context.eventLoop
        ).flatMap { chunk in
            let (sender, context) = bound.value
            guard chunk.readableBytes == piece.count else {
                return context.eventLoop.makeFailedFuture(FileEnded(available: piece.lowerBound + chunk.readableBytes - start))
            }
            return context.writeAndFlush(sender.wrap(.byteBuffer(chunk)))
        }
    }
}
