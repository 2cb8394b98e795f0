#if canImport(Glibc)
import Glibc
#endif

enum TCPLesson {
    static func run(_ tour: TourContext) throws {
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0"]
        guard let (server, port, serverToken) = try tour.startServer(serverArguments, lesson: .tcp, number: 1,
                title: "An echo server") else { return }
        defer { tour.cleanup.run(serverToken) }
        tour.emit(TourStep(
            lesson: .tcp, number: 1, title: "An echo server",
            command: command(serverArguments), output: lines(server.stderr),
            explanation: """
                socket(AF_INET, SOCK_STREAM), bind(127.0.0.1, port 0), listen(): from now on the \
                kernel completes handshakes with clients by itself and queues the connections; \
                accept() hands each one to the server, which echoes every byte back.
                """,
            ok: true, facts: [("port", String(port))]))

        let clientArguments = ["tcp-echo-client", "127.0.0.1", String(port), "hello, TCP", "--explain"]
        let client = try tour.run(clientArguments)
        server.poll(seconds: 3) { $0.stderr.contains("close ") || $0.stdout.contains("close ") }
        let serverLog = (lines(server.stdout) + lines(server.stderr)).filter { !$0.hasPrefix("listening on") }
        tour.emit(TourStep(
            lesson: .tcp, number: 2, title: "One round trip: connect, send, half-close, close",
            command: command(clientArguments),
            output: lines(client.err) + lines(client.out) + ["server log:"] + serverLog,
            explanation: """
                connect() is the three-way handshake (SYN, SYN-ACK, ACK), and the server's accept() \
                returned the same connection. The client wrote its bytes, then shutdown(SHUT_WR): a \
                FIN that says "no more from me" while it can still read. The server echoed, saw the \
                FIN (read returns 0), and closed its side too. TCP is a byte stream: the echo came \
                back as bytes, not as a message, and the client read until it had them all.
                """,
            ok: client.status == 0 && client.out.contains("hello, TCP")))

        let benchArguments = ["tcp-echo-client", "127.0.0.1", String(port), "--bench", "--connections", "16", "--duration", "2s"]
        let bench = try tour.run(benchArguments, seconds: 30)
        tour.emit(TourStep(
            lesson: .tcp, number: 3, title: "Two seconds of load: 16 connections",
            command: command(benchArguments), output: lines(bench.out) + lines(bench.err),
            explanation: """
                Sixteen connections, each sending a message and waiting for its echo before the \
                next (ping-pong), every echoed byte checked. Messages per second and the latency \
                percentiles show what one server does on loopback, where no network slows it down.
                """,
            ok: bench.status == 0))

        server.signal(SIGTERM)
        let stopped = server.wait(seconds: 10)
        tour.emit(TourStep(
            lesson: .tcp, number: 4, title: "Stopping the server",
            command: "kill -TERM <tcp-echo-server>",
            output: lines(server.stderr).filter { !$0.hasPrefix("listening on") && !$0.hasPrefix("#") },
            explanation: """
                On SIGTERM the server stopped accepting, let open connections finish, printed its \
                summary and closed the listening socket: the port is free again.
                """,
            ok: stopped == 0))
    }
}
