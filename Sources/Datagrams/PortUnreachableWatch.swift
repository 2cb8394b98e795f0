import Endpoints
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An ICMP port unreachable the kernel delivered on udp-send's connected socket: nothing
/// listens on the destination port. The kernel keeps it as the socket's pending error
/// (ECONNREFUSED) until a read or the next send picks it up.
public struct PortUnreachable: Sendable, Equatable {
    /// Where the datagrams went.
    public let destination: Endpoint
    /// Datagrams that had left when it came; on loopback and in a paced run it answers the last
    /// of them. An unpaced run hands datagrams over in batches, counted per batch.
    public let afterDatagram: Int
    /// It failed a send instead of arriving on a read; NIO then closes the socket, so the
    /// datagrams after `afterDatagram` were not sent.
    public let sendFailed: Bool

    public init(destination: Endpoint, afterDatagram: Int, sendFailed: Bool) {
        self.destination = destination
        self.afterDatagram = afterDatagram
        self.sendFailed = sendFailed
    }

    static func matches(_ error: any Error) -> Bool { (error as? IOError)?.errnoCode == ECONNREFUSED }
}

/// Sits in udp-send's pipeline and keeps every port unreachable NIO reads off the socket
/// (SO_ERROR, passed to `errorCaught`), with the number of datagrams handed over before it. It
/// passes the error on: with --wait-reply the reply stream ends with it. Before this, without
/// --wait-reply, the error went to a stream nothing read, and `udp-send` said all was well.
final class PortUnreachableWatch: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private struct State {
        var handedOver = 0
        var reports: [PortUnreachable] = []
        var delivered = 0
    }

    private let state = Mutex(State())
    private let destination: Endpoint

    init(destination: Endpoint) {
        self.destination = destination
    }

    /// Datagrams up to `number` are about to be written: an error from now on comes after them.
    func sending(upTo number: Int) {
        state.withLock { $0.handedOver = number }
    }

    /// A send failed with the pending error; `sent` datagrams had left before it.
    func sendFailed(after sent: Int) {
        state.withLock { $0.reports.append(PortUnreachable(destination: destination, afterDatagram: sent, sendFailed: true)) }
    }

    /// The reports not returned by an earlier call, oldest first.
    func takeNew() -> [PortUnreachable] {
        state.withLock { state in
            defer { state.delivered = state.reports.count }
            return Array(state.reports[state.delivered...])
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if PortUnreachable.matches(error) {
            state.withLock { $0.reports.append(PortUnreachable(destination: destination, afterDatagram: $0.handedOver, sendFailed: false)) }
        }
        context.fireErrorCaught(error)
    }
}
