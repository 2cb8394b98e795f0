import NIOCore

/// Sits in front of the HTTP decoder and bounds what a client may do before its request head
/// is complete: at most `FileServerOptions.maxHeadBytes` bytes (else 431), within the idle
/// timeout (else 408; a slowloris client that trickles a byte at a time is cut off too).
/// `HTTPFileHandler` tells it when a head arrived and when the response is done.
final class RequestHeadGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int
    private let timeout: TimeAmount
    /// Logs a refusal (set by the handler that logs requests).
    var onRefusal: ((_ status: Int, _ note: String) -> Void)?
    private var waitingForHead = true
    private var received = 0
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limit: Int, timeout: Duration) {
        self.limit = limit
        self.timeout = .nanoseconds(Int64(timeout.seconds * 1e9))
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
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

    /// Answers below the HTTP encoder, straight on the socket, and closes.
    private func refuse(status: Int, reason: String, note: String) {
        guard let context, waitingForHead else { return }
        waitingForHead = false
        deadline?.cancel()
        onRefusal?(status, note)
        let response = "HTTP/1.1 \(status) \(reason)\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}
