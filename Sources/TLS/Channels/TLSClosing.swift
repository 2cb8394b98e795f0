import NIOCore
import NIOSSL
import NIOTLS

/// Ends a connection when this side gives up on it (a timeout, a size limit, --reset): at once.
/// Over TLS no close_notify is sent and none is awaited; over plain TCP it is an ordinary close.
public enum ConnectionAbort {
    /// The outbound event that asks for it: `TLSCloser` stops waiting and `TLSAbortGate`,
    /// below NIOSSL, closes the socket itself.
    struct Request: Sendable {}

    public static func close(_ context: ChannelHandlerContext) {
        context.triggerUserOutboundEvent(Request(), promise: nil)
        context.close(promise: nil)
    }

    public static func close(_ channel: Channel) async {
        channel.triggerUserOutboundEvent(Request(), promise: nil)
        try? await channel.close()
    }

    /// Runs `body`; when it throws, the connection is aborted before the error goes on (an
    /// `executeThenClose` would otherwise end it with an orderly goodbye).
    public static func onFailure<Result>(of channel: Channel, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            await close(channel)
            throw error
        }
    }
}

/// How a TLS connection ends, between NIOSSL and the application. NIOSSL on its own answers a
/// close with close_notify and then waits up to its shutdown timeout (5 s) for the peer's
/// close_notify; with half-closure on, as every nettool channel has it, even a peer's
/// close_notify or FIN does not end that wait. Here an orderly close is what curl does:
/// close_notify, then FIN (both after what is still queued), and the socket closes as soon as
/// the peer's close_notify or FIN is in, or after `linger`. A close after either side already
/// said goodbye, before the handshake is done, and an abort, wait for nothing.
final class TLSCloser: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a peer that neither answers close_notify nor closes keeps the socket.
    static let linger = TimeAmount.seconds(2)
    private var handshakeDone = false
    private var inputClosed = false
    private var outputClosed = false
    /// The application asked for the end: what still arrives is dropped, and the peer's ragged
    /// end (a FIN without close_notify, a reset) is no error of the connection any more.
    private var closing = false
    private var lingering: Scheduled<Void>?

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .output:
            outputClosed = true
        case .all where handshakeDone && !closing && !inputClosed && !outputClosed:
            closing = true
            outputClosed = true
            context.channel.closeFuture.cascade(to: promise)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let goodbye = context.eventLoop.makePromise(of: Void.self)
            goodbye.futureResult.whenFailure { _ in bound.value.close(promise: nil) }
            context.close(mode: .output, promise: goodbye)
            lingering = context.eventLoop.scheduleTask(in: Self.linger) { bound.value.close(promise: nil) }
            return
        case .all:
            closing = true
        case .input:
            break
        }
        context.close(mode: mode, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is ConnectionAbort.Request { closing = true }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !closing { context.fireChannelRead(data) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else {
            if case TLSUserEvent.handshakeCompleted = event { handshakeDone = true }
            context.fireUserInboundEventTriggered(event)
            return
        }
        inputClosed = true
        if closing {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !closing { context.fireErrorCaught(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingering?.cancel()
        context.fireChannelInactive()
    }
}

/// Below NIOSSL: closes the socket itself on `ConnectionAbort`, so no close_notify goes out
/// and NIOSSL waits for none.
final class TLSAbortGate: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ConnectionAbort.Request else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        context.close(promise: promise)
    }
}

extension TLSConfiguration {
    /// NIOSSL's own wait for the peer's close_notify: none. `TLSCloser` waits where waiting is
    /// useful; whenever NIOSSL itself closes, the peer has already closed or been given up on.
    mutating func closeWithoutWaiting() {
        shutdownTimeout = .zero
    }
}
