import Endpoints
import NIOCore
import Rendering
import Serving
#if canImport(Glibc)
import Glibc
#endif

/// One connection of `tcp-echo-server`: writes back what it reads (all bytes as they come, or
/// whole lines with --line), counts them, and reports the connection's life. All state is
/// confined to the connection's event loop. Back-pressure is NIO's `BackPressureHandler`, in
/// front of this one: while the channel is not writable (the peer does not take its echo and
/// the pending writes passed the high-water mark) it holds reads, so the server stops reading
/// instead of buffering without bound; this handler only narrates it.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let registry: ConnectionRegistry
    private let narrator: Narrator
    private let onEvent: @Sendable (ServerEvent) -> Void
    private let onAdmitted: @Sendable () -> Void
    private let maxConnections: Int?
    private var framer: LineFramer?

    private var id: Int?
    private var peer = Endpoint(address: .v4(0), port: 0)
    private var start = ContinuousClock.now
    private var bytes = 0
    private var reason = CloseReason.peerClosed
    private var closing = false

    init(options: EchoServerOptions, registry: ConnectionRegistry, narrator: Narrator,
         onEvent: @escaping @Sendable (ServerEvent) -> Void, onAdmitted: @escaping @Sendable () -> Void) {
        self.registry = registry
        self.narrator = narrator
        self.onEvent = onEvent
        self.onAdmitted = onAdmitted
        self.maxConnections = options.listen.maxConnections
        self.framer = options.lineMode ? LineFramer() : nil
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.flatMap(Endpoint.init) ?? peer
        start = .now
        guard let (id, open) = registry.admit(context.channel) else {
            onEvent(.rejected(peer: peer, limit: maxConnections ?? 0))
            narrator.step("accept() → \(peer), then close()",
                          "the kernel had already completed the handshake, so the connection is accepted and closed at once (over --max-connections)")
            closing = true
            context.close(promise: nil)
            return
        }
        self.id = id
        onAdmitted()
        onEvent(.opened(id: id, peer: peer, open: open))
        narrator.step("accept() → new socket for \(peer)",
                      "the handshake (SYN, SYN-ACK, ACK) was done by the kernel; accept() hands over a new connected socket and the listening one keeps listening")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        narrator.step("recv() → \(buffer.readableBytes) bytes from \(peer)",
                      "TCP is a byte stream: a read returns whatever has arrived, not one 'message' as sent")
        guard framer != nil else {
            bytes += buffer.readableBytes
            narrator.step("send(\(buffer.readableBytes) bytes) to \(peer)", "the same bytes go back, in order")
            context.write(data, promise: nil)
            return
        }
        framer!.append(buffer)
        do {
            while let line = try framer!.nextLine() {
                echoLine(line, context: context)
            }
            if framer!.pendingBytes > 0 {
                narrator.step("(\(framer!.pendingBytes) bytes wait for their newline)",
                              "--line echoes whole lines only; the rest of this read stays buffered until a newline arrives")
            }
        } catch {
            reason = .lineTooLong
            narrator.step("close()", "over \(error.limit) bytes without a newline: the server refuses to buffer more")
            close(context: context)
        }
    }

    private func echoLine(_ line: ByteBuffer, context: ChannelHandlerContext) {
        bytes += line.readableBytes
        narrator.step("send(\(line.readableBytes) bytes) to \(peer)", "one complete line, newline included, goes back")
        context.write(wrapOutboundOut(line), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            narrator.step("(writable again: reading from \(peer) resumes)",
                          "the peer took its echo, the send buffer drained, so the server reads again")
        } else {
            narrator.step("(send buffer full: reading from \(peer) pauses)",
                          "the peer is not reading its echo; instead of buffering without bound the server stops reading, and TCP flow control slows the peer down")
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            narrator.step("recv() → 0 (FIN from \(peer))",
                          "the peer sent a FIN: it will send nothing more (a half-close, shutdown(SHUT_WR), or a full close(): the wire looks the same); the echo is finished, then the server closes too")
            if var framer, let rest = framer.remainder() {
                self.framer = framer
                echoLine(rest, context: context)
            }
            close(context: context)
        case is IdleStateHandler.IdleStateEvent:
            reason = .idleTimeout
            narrator.step("close() after idle timeout", "nothing was read or written for --idle-timeout")
            close(context: context)
        case is ShutdownRequest:
            reason = .shutdown
            close(context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Closes once everything written so far is on its way: writes complete in order, so an
    /// empty write's promise fires after all the echo before it.
    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            reason = .reset
            narrator.step("recv() → ECONNRESET", "the peer aborted the connection with a reset (RST); unread data is lost")
        } else {
            reason = .failed
        }
        closing = true
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id {
            // Reported before release: once the last connection is released the summary may
            // print and the process exit.
            onEvent(.closed(id: id, peer: peer, bytes: bytes, duration: .now - start, reason: reason))
            if reason == .reset {
                narrator.step("close() after reset", "the connection is over after \(bytes) bytes echoed: a reset ends it at once, "
                              + "with no FINs and no TIME_WAIT, and whatever was still unread is gone")
            } else {
                narrator.step("close() → FIN to \(peer)", "the connection is over after \(bytes) bytes echoed; the side that closed first "
                              + "keeps it in TIME_WAIT for a while, so late packets cannot confuse a new connection")
            }
            registry.release(id: id, bytes: bytes, closedByServer: reason == .shutdown)
        }
        context.fireChannelInactive()
    }
}
