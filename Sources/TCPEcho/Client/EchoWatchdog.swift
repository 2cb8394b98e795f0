import NIOCore
import Synchronization
import TLS

/// Nothing came back for `--timeout` while part of the echo was still missing.
struct EchoTimeout: Error {
    let received: Int
    let expected: Int
}

/// The socket error that closed a connection (a reset, a broken pipe), kept for whoever only
/// sees what followed it: a write refused as "I/O on closed channel", or a stream that just ended.
final class CloseCause: Sendable {
    private let error = Mutex<IOError?>(nil)

    func record(_ io: IOError) { error.withLock { if $0 == nil { $0 = io } } }
    var recorded: IOError? { error.withLock { $0 } }
}

/// Sits in the client's pipeline and counts bytes both ways. While part of the echo is
/// missing it runs a timer that fails the connection with `EchoTimeout` when nothing arrives
/// for `timeout`; once the client has half-closed and every byte came back, it closes the
/// connection, so a session ends even with a server that keeps its side open.
final class EchoWatchdog: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let cause: CloseCause
    private var sent = 0
    private var received = 0
    private var outputClosed = false
    private var timer: Scheduled<Void>?

    init(timeout: Duration, cause: CloseCause) {
        self.timeout = TimeAmount(timeout)
        self.cause = cause
    }

    /// Over TLS a peer that closes without close_notify raises an error before the stream's
    /// end; for an echo the byte count already says whether it all came back, so that close
    /// ends the stream as a FIN does over plain TCP (and is reported as closed early).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError { cause.record(io) }
        if TLSFailure.isUncleanShutdown(error) { return }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        sent += unwrapOutboundIn(data).readableBytes
        armTimer(context: context)
        // A reset that arrives before the write makes the write fail (ECONNRESET, then EPIPE) and
        // never reaches errorCaught; without this the client would see only an ended stream.
        let written = promise ?? context.eventLoop.makePromise()
        let cause = self.cause
        written.futureResult.whenFailure { if let io = $0 as? IOError { cause.record(io) } }
        context.write(data, promise: written)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .output { outputClosed = true }
        context.close(mode: mode, promise: promise)
        closeIfComplete(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        timer?.cancel()
        timer = nil
        context.fireChannelRead(data)
        armTimer(context: context)
        closeIfComplete(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard timer == nil, received < sent else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = bound.value
            context.fireErrorCaught(EchoTimeout(received: handler.received, expected: handler.sent))
            ConnectionAbort.close(context)
        }
    }

    private func closeIfComplete(context: ChannelHandlerContext) {
        if outputClosed && received >= sent { context.close(promise: nil) }
    }
}
