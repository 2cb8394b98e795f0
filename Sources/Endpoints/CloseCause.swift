import NIOCore
import Synchronization

/// The socket error that closed a channel (a reset, a refused send), kept for whoever only sees
/// what followed it: a write refused as "I/O on closed channel", or a stream that just ended.
public final class CloseCause: Sendable {
    private let error = Mutex<IOError?>(nil)

    public init() {}

    public func record(_ io: IOError) { error.withLock { if $0 == nil { $0 = io } } }
    public var recorded: IOError? { error.withLock { $0 } }

    /// The error to report for `error`: the recorded cause when `error` is only its consequence.
    public func explaining(_ error: any Error) -> any Error {
        if let channelError = error as? ChannelError, channelError == .ioOnClosedChannel || channelError == .alreadyClosed,
           let recorded {
            return recorded
        }
        return error
    }
}

/// A pipeline handler that records every socket error passing through into a `CloseCause`.
public final class CloseCauseRecorder: ChannelInboundHandler {
    public typealias InboundIn = NIOAny

    private let cause: CloseCause

    public init(_ cause: CloseCause) { self.cause = cause }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError { cause.record(io) }
        context.fireErrorCaught(error)
    }
}
