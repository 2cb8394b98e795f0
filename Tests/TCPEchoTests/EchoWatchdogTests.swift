import Glibc
import NIOCore
import NIOEmbedded
import Testing
@testable import TCPEcho

/// Fails every write the way the kernel does once a reset has arrived on the socket.
private final class ResetSocket: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.fail(IOError(errnoCode: ECONNRESET, reason: "write"))
    }
}

@Suite("The client's watchdog keeps why a connection ended")
struct EchoWatchdogTests {
    @Test("a reset that fails the write (it came before the client wrote) is kept as the cause")
    func resetBeforeWrite() throws {
        let cause = CloseCause()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([ResetSocket(), EchoWatchdog(timeout: .seconds(5), cause: cause)])
        channel.write(ByteBuffer(string: "hello"), promise: nil)
        channel.flush()
        #expect(cause.recorded?.errnoCode == ECONNRESET)
        _ = try? channel.finish()
    }

    @Test("a write that succeeds records nothing")
    func cleanWrite() throws {
        let cause = CloseCause()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(EchoWatchdog(timeout: .seconds(5), cause: cause))
        try channel.writeAndFlush(ByteBuffer(string: "hello")).wait()
        #expect(cause.recorded == nil)
        _ = try? channel.finish()
    }
}
