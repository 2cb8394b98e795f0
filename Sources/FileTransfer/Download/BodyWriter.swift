import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// What carries a download's bytes: HTTP body parts, or the raw protocol's plain buffers.
protocol DownloadPart: Sendable {
    var body: ByteBuffer? { get }
}

extension HTTPClientResponsePart: DownloadPart {
    var body: ByteBuffer? {
        if case .body(let buffer) = self { return buffer }
        return nil
    }
}

extension ByteBuffer: DownloadPart {
    var body: ByteBuffer? { self }
}

/// Writes a download's body into the part file on the event loop, as it is decoded, the way
/// curl's one thread does: no hand-off per chunk to another thread, and each buffer is free
/// again as soon as it is written, so TLS and the HTTP decoder reuse their buffers instead of
/// taking fresh memory for every read. The hasher follows the file on its own thread. Every
/// other part (the response head, its end) goes on to the download's async side, which arms
/// the writer once it knows where the bytes go; body bytes that come before that wait here,
/// and reading pauses while they pile up.
final class BodyWriter<Part: DownloadPart>: ChannelDuplexHandler {
    typealias InboundIn = Part
    typealias InboundOut = Part
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Where the bytes go, once armed.
    private struct Target {
        let fd: Int32
        let path: String
        let hasher: FileHasher
        let limit: Int?
        var ticker: ProgressTicker
    }

    private static var pendingLimit: Int { 4 << 20 }

    private var target: Target?
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    private var heldRead = false
    /// The size of the part file: what it held when armed, plus every byte written since.
    private var size = 0
    private var failure: DownloadError?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let body = part.body else {
            context.fireChannelRead(data)
            return
        }
        guard failure == nil else { return }
        if target != nil {
            write(body)
        } else {
            pending.append(body)
            pendingBytes += body.readableBytes
        }
    }

    func read(context: ChannelHandlerContext) {
        if target == nil && pendingBytes >= Self.pendingLimit {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// From here on body bytes go to `fd` (which holds `size` bytes already), past `limit` in
    /// all (--max-size) the download stops. Writes what waited.
    func arm(fd: Int32, path: String, size: Int, hasher: FileHasher, limit: Int?, ticker: ProgressTicker) {
        target = Target(fd: fd, path: path, hasher: hasher, limit: limit, ticker: ticker)
        self.size = size
        let waiting = pending
        pending = []
        pendingBytes = 0
        for body in waiting where failure == nil { write(body) }
        if heldRead, let context {
            heldRead = false
            context.read()
        }
    }

    /// The part file's size now, and what stopped the writing, if anything did.
    var outcome: (size: Int, failure: DownloadError?) { (size, failure) }

    private func write(_ body: ByteBuffer) {
        guard var target else { return }
        let failed = body.withUnsafeReadableBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(target.fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed {
            let full = errno == ENOSPC || errno == EDQUOT
            stop(.io("cannot write \(target.path): \(String(cString: strerror(errno)))"
                     + (full ? "; what arrived so far is kept there: make room and run the same command with -c to carry on" : "")))
            return
        }
        size += body.readableBytes
        target.hasher.advance(to: size)
        target.ticker.tick(size)
        self.target = target
        if let limit = target.limit, size > limit { stop(.tooLarge(limit: limit, announced: nil)) }
    }

    /// Ends the transfer: the connection closes, and the async side finds `failure` here.
    private func stop(_ error: DownloadError) {
        failure = error
        context?.close(promise: nil)
    }
}

/// A connection's body writer, reached from the download's async side.
struct BodyWriterHandle<Part: DownloadPart>: Sendable {
    private let writer: NIOLoopBound<BodyWriter<Part>>

    /// The writer in `channel`'s pipeline (added when the connection was set up).
    init(_ channel: Channel) async throws {
        let loop = channel.eventLoop
        writer = try await channel.pipeline.handler(type: BodyWriter<Part>.self).map { NIOLoopBound($0, eventLoop: loop) }.get()
    }

    /// Body bytes go to `part` from now on.
    func arm(_ part: PartialFile, limit: Int?, ticker: ProgressTicker) async throws {
        let writer = self.writer
        try await writer.eventLoop.submit { part.arm(writer.value, limit: limit, ticker: ticker) }.get()
    }

    /// The part's size after everything received so far, and what stopped the writing.
    func outcome() async throws -> (size: Int, failure: DownloadError?) {
        let writer = self.writer
        return try await writer.eventLoop.submit { writer.value.outcome }.get()
    }
}
