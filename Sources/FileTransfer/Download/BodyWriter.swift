import NIOCore
import NIOHTTP1
import TLS
#if canImport(Glibc)
import Glibc
#endif

/// What carries a download's bytes: HTTP body parts, or the raw protocol's plain buffers.
protocol DownloadPart: Sendable {
    var body: ByteBuffer? { get }
    /// The response is complete: nothing after it belongs to the file.
    var endsResponse: Bool { get }
}

extension HTTPClientResponsePart: DownloadPart {
    var body: ByteBuffer? {
        if case .body(let buffer) = self { return buffer }
        return nil
    }

    var endsResponse: Bool {
        if case .end = self { return true }
        return false
    }
}

extension ByteBuffer: DownloadPart {
    var body: ByteBuffer? { self }
    /// The raw protocol's file ends only when the connection does.
    var endsResponse: Bool { false }
}

/// Writes a download's body into the part file on the event loop, as it is decoded, the way
/// curl's one thread does: no hand-off per chunk to another thread, and each buffer is free
/// again as soon as it is written, so TLS and the HTTP decoder reuse their buffers instead of
/// taking fresh memory for every read. The hasher follows the file on its own thread. Every
/// other part (the response head, its end) goes on to the download's async side, which arms
/// the writer once it knows where the bytes go; body bytes that come before that wait here,
/// and reading pauses while they pile up. Once the response has ended, or the async side has
/// taken the part back (`finish`), nothing more is ever written: whatever a server sends after
/// its response is not part of the file.
final class BodyWriter<Part: DownloadPart>: ChannelDuplexHandler {
    typealias InboundIn = Part
    typealias InboundOut = Part
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Where the bytes go.
    private struct Target {
        let fd: Int32
        let path: String
        let hasher: FileHasher
        let limit: Int?
        var ticker: ProgressTicker
    }

    private enum State {
        /// Not armed yet: body bytes wait.
        case waiting(pending: [ByteBuffer], bytes: Int)
        case writing(Target)
        /// The response ended, the writing failed, or the async side took the part back.
        case done
    }

    private static var pendingLimit: Int { 4 << 20 }

    private var state = State.waiting(pending: [], bytes: 0)
    private var heldRead = false
    /// The size of the part file: what it held when armed, plus every byte written since.
    private var size = 0
    private var armed = false
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
            if part.endsResponse, case .writing = state { state = .done }
            context.fireChannelRead(data)
            return
        }
        switch state {
        case .waiting(var pending, let bytes):
            pending.append(body)
            state = .waiting(pending: pending, bytes: bytes + body.readableBytes)
        case .writing(var target):
            write(body, to: &target)
        case .done:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .waiting(_, let bytes) = state, bytes >= Self.pendingLimit {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// From here on body bytes go to `fd` (which holds `size` bytes already), past `limit` in
    /// all (--max-size) the download stops. Writes what waited.
    func arm(fd: Int32, path: String, size: Int, hasher: FileHasher, limit: Int?, ticker: ProgressTicker) {
        guard case .waiting(let pending, _) = state else { return }
        var target = Target(fd: fd, path: path, hasher: hasher, limit: limit, ticker: ticker)
        self.size = size
        armed = true
        state = .writing(target)
        for body in pending {
            guard case .writing = state else { break }
            write(body, to: &target)
        }
        if heldRead, let context {
            heldRead = false
            context.read()
        }
    }

    /// Stops writing for good and reports the part file's size (nil when it was never armed)
    /// and what stopped the writing, if anything did. After this the file descriptor is the
    /// async side's alone.
    func finish() -> (size: Int?, failure: DownloadError?) {
        let armed = armed
        state = .done
        return (armed ? size : nil, failure)
    }

    private func write(_ body: ByteBuffer, to target: inout Target) {
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
        if let limit = target.limit, size > limit {
            stop(.tooLarge(limit: limit, announced: nil))
        } else if case .writing = state {
            state = .writing(target)
        }
    }

    /// Ends the transfer: the connection closes, and the async side finds `failure` here.
    private func stop(_ error: DownloadError) {
        failure = error
        state = .done
        if let context { ConnectionAbort.close(context) }
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

    /// Stops the writing for good: the part's size, and what stopped the writing, if anything did.
    func finish() async throws -> (size: Int?, failure: DownloadError?) {
        let writer = self.writer
        return try await writer.eventLoop.submit { writer.value.finish() }.get()
    }
}
