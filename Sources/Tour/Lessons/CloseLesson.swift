#if canImport(Glibc)
import Glibc
#endif

/// Close, half-close and reset: an orderly end (FIN) keeps every byte; an abort (RST) does not.
enum CloseLesson {
    static func run(_ tour: TourContext) throws {
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0"]
        guard let (server, port, token) = try tour.startServer(serverArguments, lesson: .close, number: 1,
                title: "Half-close: FIN, and the echo still comes back") else { return }
        defer { tour.cleanup.run(token) }

        let polite = ["tcp-echo-client", "127.0.0.1", String(port), "see you", "--explain"]
        let first = try tour.run(polite)
        server.poll(seconds: 3) { $0.stdout.contains("#1 disconnected") }
        tour.emit(TourStep(
            lesson: .close, number: 1, title: "Half-close: FIN, and the echo still comes back",
            command: command(polite),
            output: explained(first.err, ["send(", "shutdown(", "recv()", "close()"]) + lines(first.out)
                + ["server log:"] + lines(server.stdout),
            explanation: """
                After sending, the client called shutdown(SHUT_WR): a FIN that says "nothing more from \
                me" while the connection stays open the other way. The server read its bytes, then \
                read 0 (the FIN), echoed everything and closed in turn. Both sides said goodbye, and \
                no byte was lost: the server logs "closed by peer".
                """,
            ok: first.status == 0 && server.stdout.contains("#1 disconnected 127.0.0.1:") && server.stdout.contains("closed by peer")))

        let abrupt = ["tcp-echo-client", "127.0.0.1", String(port), "goodbye?", "--reset", "--explain"]
        let wire = WireCapture.allowed ? try WireCapture(tour, ["capture", "-i", "lo", "--tcp", "--json", "tcp port \(port)"]) : nil
        let second = try tour.run(abrupt)
        server.poll(seconds: 3) { $0.stdout.contains("#2 disconnected") }
        let log = lines(server.stdout).filter { $0.hasPrefix("#2") }
        tour.emit(TourStep(
            lesson: .close, number: 2, title: "Reset: RST, and what was unread is gone",
            command: command(abrupt),
            output: explained(second.err, ["send(", "(", "setsockopt("]) + lines(second.err).filter { $0.hasPrefix("sent ") }
                + ["server log:"] + log,
            explanation: """
                With SO_LINGER set to 0 seconds, close() aborts: the kernel sends a reset (RST) \
                instead of a FIN and drops whatever this side had not read; here that was the echo, \
                which had arrived and was never read. The server's next read failed with ECONNRESET, \
                and its log says "connection reset by peer": the message every programmer meets when \
                the other side crashed, was killed, or closed a socket with unread data in it (Linux \
                sends a RST then too, to say that data was lost).
                """,
            ok: second.status == 0 && log.contains { $0.contains("connection reset by peer") }))
        resetOnTheWire(tour, wire, port: port)
    }

    /// The reset's segments as captured: the client's RST where a FIN would have been.
    private static func resetOnTheWire(_ tour: TourContext, _ wire: WireCapture?, port: Int) {
        let title = "The RST on the wire"
        guard let wire else {
            return tour.emit(TourStep(lesson: .close, number: 3, title: title, command: nil, output: [], explanation: """
                A capture of the reset connection would show the client's RST where the orderly close \
                had FINs; watching the wire needs root or CAP_NET_RAW.
                """, ok: false, skipped: WireCapture.notAllowed))
        }
        let (records, failure) = wire.finish()
        let segments = records.events("packet").filter { $0["protocol"]?.string == "tcp" }
        let fromClient = segments.filter { $0["dst_port"]?.int == port }
        let resets = fromClient.filter { $0.flags.contains("RST") }
        tour.emit(TourStep(
            lesson: .close, number: 3, title: title, command: wire.typed,
            output: segments.map(\.segmentLine) + (failure.map { [$0] } ?? []),
            explanation: """
                The handshake, the message, its echo, and then, instead of a FIN, a segment with the \
                RST flag from the client (port \(port) is the server's). A RST is not acknowledged and \
                has no TIME_WAIT after it: both sides drop the connection the moment it is sent or \
                received, which is why the server's next read failed rather than returning 0.
                """,
            ok: failure == nil && !resets.isEmpty && !fromClient.contains { $0.flags.contains("FIN") },
            facts: [("resets", String(resets.count))]))
    }
}
