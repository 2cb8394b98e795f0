import NIOCore

/// Sits in front of the HTTP decoder and bounds what a client may do before its request head
/// is complete: at most `FileServerOptions.maxHeadBytes` bytes (else 431), within the idle
/// timeout (else 408; a slowloris client that trickles a byte at a time is cut off too).
/// `HTTPFileHandler` tells it when a head arrived and when the response is done; it tells the
/// handler of a refusal with a `HeadRefused` event up the pipeline (a closure back to the handler,
/// which holds the guard, would be a reference cycle: one leaked pair per connection).
final class RequestHeadGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int
    private let timeout: TimeAmount
    /// Set once it answered 408 or 431 itself; the decoder's complaint about the cut-off head
    /// that follows is not worth a second log line.
    private(set) var refused = false
    private var waitingForHead = true
    private var received = 0
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    /// Bytes dropped since an answer-and-close; nil until then.
    private var draining: Int?
    private static let drainLimit = 1 << 20
    private static let drainTime = TimeAmount.seconds(2)

    init(limit: Int, timeout: Duration) {
        self.limit = limit
        self.timeout = TimeAmount(timeout)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let drained = draining {
            // Answered and half-closed: what the client still sends is read and dropped (up to
            // a bound), so the close does not reset the connection and destroy the answer.
            let total = drained + unwrapInboundIn(data).readableBytes
            draining = total
            if total > Self.drainLimit { context.close(promise: nil) }
            return
        }
        if waitingForHead {
            received += unwrapInboundIn(data).readableBytes
            if received > limit {
                refuse(status: 431, reason: "Request Header Fields Too Large", note: "request head over \(limit) bytes")
                return
            }
            if deadline == nil {
                let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                deadline = context.eventLoop.scheduleTask(in: timeout) {
                    bound.value.refuse(status: 408, reason: "Request Timeout", note: "request head not complete in time")
                }
            }
        }
        context.fireChannelRead(data)
    }

    /// The connection sat idle for the timeout (IdleStateHandler): a head still coming is
    /// answered 408 here, once, so the decoder's complaint about the cut-off head that follows is
    /// not logged as a second, different refusal; an idle keep-alive connection just closes.
    func idleTimeout() {
        if waitingForHead && received > 0 {
            refuse(status: 408, reason: "Request Timeout", note: "request head not complete in time")
        } else {
            context?.close(promise: nil)
        }
    }

    func headArrived() {
        waitingForHead = false
        deadline?.cancel()
        deadline = nil
    }

    func responseFinished() {
        waitingForHead = true
        received = 0
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    private func refuse(status: Int, reason: String, note: String) {
        guard waitingForHead else { return }
        waitingForHead = false
        refused = true
        deadline?.cancel()
        context?.fireUserInboundEventTriggered(HeadRefused(status: status, note: note))
        answerAndClose(status: status, reason: reason)
    }

    /// Answers below the HTTP encoder, straight on the socket, and closes: for refusals before a
    /// head, and for a CONNECT, whose answer NIO's encoder would frame as a tunnel (no length).
    func answerAndClose(status: Int, reason: String, headers: [(String, String)] = [], body: String = "") {
        guard let context else { return }
        let fields = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
        let response = "HTTP/1.1 \(status) \(reason)\r\nconnection: close\r\n\(fields)content-length: \(body.utf8.count)\r\n\r\n\(body)"
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        draining = 0
        // A lingering close, as nginx does: FIN after the answer, then the client's unread
        // request (a head over the limit, a body) is drained for a while before the socket
        // closes. Closing at once with unread bytes would send a reset, which can reach the
        // client before it read the answer.
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            let context = bound.value
            let closed = context.eventLoop.makePromise(of: Void.self)
            closed.futureResult.whenFailure { _ in bound.value.close(promise: nil) }
            context.close(mode: .output, promise: closed)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.drainTime) { channel.close(promise: nil) }
        }
    }
}

/// Sent up the pipeline when the guard answered 408 or 431 itself, for the handler that logs requests.
struct HeadRefused {
    let status: Int
    let note: String
}
