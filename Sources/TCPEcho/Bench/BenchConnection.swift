import NIOCore
import TLS
#if canImport(Glibc)
import Glibc
#endif

/// One load-generator connection: keeps `pipeline` messages in flight, checks every echoed
/// byte against the pattern, and records each message's round trip when its last byte is back.
/// Runs entirely on its event loop; nothing is sent until `start` is called.
final class BenchConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shard: LoadShard
    private let stop: StopFlag
    private let pipeline: Int
    /// Messages this connection may send; nil: until the run's stop flag is set.
    private let budget: Int?
    private let timeout: TimeAmount
    private var sendTimes: [UInt64]
    private var sent = 0
    /// Messages whose whole echo came back.
    private(set) var completed = 0
    /// Ended by an error (a mismatch, a stall, a closed connection) rather than by finishing.
    private(set) var failed = false
    /// Stream offset of the next byte expected back.
    private var position = 0
    private var context: ChannelHandlerContext?
    private var watchdog: Scheduled<Void>?
    /// When the last echo bytes arrived. The watchdog checks it when it fires instead of being
    /// rescheduled on every read, which would cost a timer-heap update per message.
    private var lastProgress: UInt64 = 0
    private var finished = false

    init(shard: LoadShard, stop: StopFlag, pipeline: Int, budget: Int?, timeout: Duration) {
        self.shard = shard
        self.stop = stop
        self.pipeline = pipeline
        self.budget = budget
        self.timeout = TimeAmount(timeout)
        self.sendTimes = Array(repeating: 0, count: pipeline)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends the first `pipeline` messages. Called on the loop once every connection is up.
    func start() {
        guard let context else { return }
        let now = monotonicNanoseconds()
        while sent < pipeline && mayStartAnother() { send(context: context, at: now) }
        context.flush()
        armWatchdog(context: context)
        finishIfDone(context: context)
    }

    private func mayStartAnother() -> Bool {
        if let budget, sent >= budget { return false }
        return !stop.isSet
    }

    private func send(context: ChannelHandlerContext, at now: UInt64) {
        sendTimes[sent % pipeline] = now
        context.write(wrapOutboundOut(shard.message(number: sent)), promise: nil)
        sent += 1
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let count = buffer.readableBytes
        if let wrong = buffer.withUnsafeReadableBytes({ shard.pattern.firstMismatch($0, at: position) }) {
            fail("echo mismatch at stream byte \(wrong) (message \(wrong / shard.size), byte \(wrong % shard.size))", context: context)
            return
        }
        guard position + count <= sent * shard.size else {
            fail("the server sent \(position + count - sent * shard.size) bytes more than were sent to it", context: context)
            return
        }
        position += count
        shard.bytes += count
        let size = shard.size
        let now = monotonicNanoseconds()
        while position >= (completed + 1) * size {
            shard.record(latencyNanoseconds: now &- sendTimes[completed % pipeline])
            completed += 1
            if mayStartAnother() { send(context: context, at: now) }
        }
        lastProgress = now
        armWatchdog(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        finishIfDone(context: context)
    }

    private func finishIfDone(context: ChannelHandlerContext) {
        guard completed == sent, !mayStartAnother(), !finished else { return }
        finished = true
        watchdog?.cancel()
        context.close(promise: nil)
    }

    private func armWatchdog(context: ChannelHandlerContext, in delay: TimeAmount? = nil) {
        guard watchdog == nil, completed < sent, !finished else { return }
        if lastProgress == 0 { lastProgress = monotonicNanoseconds() }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        watchdog = context.eventLoop.scheduleTask(in: delay ?? timeout) {
            let (handler, context) = bound.value
            handler.watchdog = nil
            guard handler.completed < handler.sent else { return }
            let quiet = Int64(monotonicNanoseconds() &- handler.lastProgress)
            if quiet >= handler.timeout.nanoseconds {
                handler.fail("no echo for \(handler.timeout.nanoseconds / 1_000_000) ms with \(handler.sent - handler.completed) messages in flight", context: context)
            } else {
                handler.armWatchdog(context: context, in: .nanoseconds(handler.timeout.nanoseconds - quiet))
            }
        }
    }

    private func fail(_ sentence: String, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        failed = true
        watchdog?.cancel()
        shard.fail(sentence)
        ConnectionAbort.close(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let sentence = (error as? IOError).map { "connection error: \(String(cString: strerror($0.errnoCode)))" } ?? "\(error)"
        fail(sentence, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { fail("the server closed the connection with \(sent - completed) messages in flight", context: context) }
        watchdog?.cancel()
        context.fireChannelInactive()
    }
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
