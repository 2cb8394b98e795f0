import Addresses
import Endpoints
import NIOCore
import NIOPosix
import Rendering
import Synchronization
import TLS

/// `tcp-echo-client`: one message and its echo, or an interactive session.
public enum EchoClient {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Sends `message`, half-closes, reads until as many bytes came back (TCP may deliver them
    /// in any number of pieces), and returns the echo with the timings.
    public static func roundTrip(_ options: EchoClientOptions, message part: [UInt8], repeats: Int = 1,
                                 narrator: Narrator) async throws(TCPError) -> RoundTrip {
        let (connection, server, local, connectTime, cause) = try await connect(options, narrator: narrator)
        let message = Array([[UInt8]](repeating: part, count: repeats).joined())
        do {
            return try await connection.executeThenClose { inbound, outbound in
                let start = ContinuousClock.now
                // Each call is narrated before it is made, so --wire shows its segments below the line.
                if repeats == 1 {
                    narrator.step("send(\(message.count) bytes)", "the bytes go into the socket's send buffer; TCP delivers them in order, resending any lost segment")
                    try await outbound.write(ByteBuffer(bytes: message))
                } else {
                    narrator.step("send(\(part.count) bytes) × \(repeats), back to back",
                                  "\(repeats) messages, one write each, handed over together (one writev): the kernel keeps no trace of where one ended")
                    try await outbound.write(contentsOf: (0..<repeats).map { _ in ByteBuffer(bytes: part) })
                }
                // Nothing more to send: say so at once, so servers that answer at end of input
                // (a line server's last partial line, a filter like `tr`) answer too.
                narrator.step("shutdown(SHUT_WR) → FIN", "a half-close: the client sends nothing more but still reads the echo")
                outbound.finish()
                var echo: [UInt8] = []
                echo.reserveCapacity(message.count)
                for try await chunk in inbound {
                    echo.append(contentsOf: chunk.readableBytesView)
                    narrator.step("recv() → \(chunk.readableBytes) bytes (\(echo.count) of \(message.count))",
                                  "a stream has no message boundaries: the client reads until all \(message.count) bytes are back")
                    if echo.count >= message.count { break }
                }
                let roundTripTime = ContinuousClock.now - start
                guard echo.count >= message.count else {
                    throw TCPError.closedEarly(server, received: echo.count, expected: message.count)
                }
                narrator.step("close()", "the whole echo is back; the connection is closed")
                return RoundTrip(server: server, local: local, sent: message.count, echo: echo,
                                 connectTime: connectTime, roundTripTime: roundTripTime)
            }
        } catch {
            throw map(error, server: server, timeout: options.timeout, cause: cause)
        }
    }

    /// Sends `message`, waits until the first of its echo has arrived, and then aborts the
    /// connection instead of closing it (SO_LINGER 0: a reset, RST, rather than a FIN), leaving
    /// that echo unread. Returns the server, the bytes sent and the echo bytes dropped.
    public static func sendThenReset(_ options: EchoClientOptions, message: [UInt8],
                                     narrator: Narrator) async throws(TCPError) -> (server: Endpoint, sent: Int, dropped: Int) {
        let (connection, server, _, _, cause) = try await connect(options, narrator: narrator)
        do {
            return try await connection.executeThenClose { inbound, outbound in
                narrator.step("send(\(message.count) bytes)", "the bytes go into the socket's send buffer")
                try await outbound.write(ByteBuffer(bytes: message))
                var iterator = inbound.makeAsyncIterator()
                let dropped = try await iterator.next()?.readableBytes ?? 0
                narrator.step("(\(dropped) bytes of echo arrived; the client does not read them)",
                              "they sit in the receive buffer, and an abort throws them away")
                try await (connection.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                // Closed here, before executeThenClose would half-close (a FIN) on the way out; over
                // TLS too an abort, with no close_notify first.
                await ConnectionAbort.close(connection.channel)
                narrator.step("setsockopt(SO_LINGER, on, 0 s) + close() → RST",
                              "an abort, not a goodbye: the kernel sends a reset instead of a FIN and drops whatever is unsent or unread "
                              + "on this side; the server's next read or write fails with ECONNRESET (\"connection reset by peer\")")
                return (server, message.count, dropped)
            }
        } catch {
            throw map(error, server: server, timeout: options.timeout, cause: cause)
        }
    }

    /// Sends each chunk `input` returns as it comes (nil: end of input) and hands every echoed
    /// piece to `onEcho`. At the end of input it half-closes (FIN) and returns once the whole
    /// echo is back, or as soon as the server closes.
    public static func session(_ options: EchoClientOptions, narrator: Narrator,
                               input: @escaping @Sendable () async -> [UInt8]?,
                               onConnected: (Endpoint) -> Void,
                               onEcho: (ByteBuffer) -> Void) async throws(TCPError) -> SessionSummary {
        let (connection, server, _, _, cause) = try await connect(options, narrator: narrator)
        onConnected(server)
        let start = ContinuousClock.now
        let sent = ByteCounter()
        do {
            return try await connection.executeThenClose { inbound, outbound in
                // Unstructured: a read from a terminal cannot be interrupted, and the session must
                // not wait for one once the server has gone.
                let writer = Task {
                    while let chunk = await input() {
                        narrator.step("send(\(chunk.count) bytes)", "one read from stdin, sent as it came")
                        try await outbound.write(ByteBuffer(bytes: chunk))
                        sent.add(chunk.count)
                    }
                    narrator.step("shutdown(SHUT_WR) → FIN", "end of input: the client half-closes; it sends nothing more but still reads the rest of the echo")
                    outbound.finish()
                }
                defer { writer.cancel() }
                var received = 0
                for try await chunk in inbound {
                    received += chunk.readableBytes
                    narrator.step("recv() → \(chunk.readableBytes) bytes", "echo arriving; TCP may split or merge what was sent")
                    onEcho(chunk)
                }
                let total = sent.value
                guard received >= total else { throw TCPError.closedEarly(server, received: received, expected: total) }
                narrator.step("close()", "every byte sent came back; the connection is closed")
                return SessionSummary(server: server, sent: total, received: received, elapsed: .now - start)
            }
        } catch {
            throw map(error, server: server, timeout: options.timeout, cause: cause)
        }
    }

    private static func map(_ error: any Error, server: Endpoint, timeout: Duration, cause: CloseCause) -> TCPError {
        if let stalled = error as? EchoTimeout {
            return .replyTimedOut(server, timeout, received: stalled.received, expected: stalled.expected)
        }
        // A reset that lands before our write or instead of the echo closes the channel first;
        // what the client then sees (a refused write, an ended stream) is only its consequence.
        if let io = cause.recorded {
            if case .ioOnClosedChannel? = error as? ChannelError { return TCPError.from(io, endpoint: server) }
            if case .closedEarly? = error as? TCPError { return TCPError.from(io, endpoint: server) }
        }
        return TCPError.from(error, endpoint: server)
    }

    /// Resolves the host and connects to its addresses in turn (`Connector`), with the
    /// watchdog that bounds the wait for an echo in the pipeline.
    static func connect(_ options: EchoClientOptions, narrator: Narrator) async throws(TCPError)
        -> (Connection, server: Endpoint, local: Endpoint, connectTime: Duration, cause: CloseCause) {
        let connector = try options.connector(narrator: narrator)
        let cause = CloseCause()
        let timeout = options.timeout
        do {
            let addresses = try connector.resolve(.tcp)
            let (connection, server, connectTime) = try await connector.connect(addresses) { address in
                try await connector.open(address) { channel in
                    try channel.pipeline.syncOperations.addHandler(EchoWatchdog(timeout: timeout, cause: cause))
                    return try Connection(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
            let local = connection.channel.localAddress.flatMap(Endpoint.init) ?? Endpoint(address: .v4(0), port: 0)
            narrator.step("connected to \(server) from \(local) in \(DurationText.format(connectTime))",
                          "the handshake is done; the kernel picked local port \(local.port)")
            return (connection, server, local, connectTime, cause)
        } catch {
            throw .network(error)
        }
    }
}

/// Bytes sent by the input task, read by the echo reader when the session ends.
private final class ByteCounter: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ bytes: Int) { count.add(bytes, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
