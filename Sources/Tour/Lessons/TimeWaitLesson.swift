#if canImport(Glibc)
import Glibc
#endif

/// "Address already in use" after a restart: the side that closes first keeps the connection in
/// TIME_WAIT, and only SO_REUSEADDR lets a new server bind the port meanwhile.
enum TimeWaitLesson {
    static func run(_ tour: TourContext) throws {
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--idle-timeout", "300ms"]
        guard let (server, port, token) = try tour.startServer(serverArguments, lesson: .timewait, number: 1,
                title: "The server closes first") else { return }
        defer { tour.cleanup.run(token) }
        // An interactive client that types nothing: the server's idle timeout ends it.
        let clientArguments = ["tcp-echo-client", "127.0.0.1", String(port)]
        let (client, clientToken) = try tour.start(clientArguments, openInput: true)
        defer { tour.cleanup.run(clientToken) }
        client.wait(seconds: 5)
        server.poll(seconds: 3) { $0.stdout.contains("disconnected") }
        let candidates: [String] = ["/usr/bin/ss", "/bin/ss", "/usr/sbin/ss"]
        let ss = candidates.first { path in access(path, X_OK) == 0 }
        let filter: [String] = ["-tan", "state", "time-wait", "( sport = :\(port) )"]
        var table: (status: Int32?, out: String, err: String)?
        if let ss { table = try tour.run(filter, program: ss, seconds: 5) }
        let waiting = table.map { lines($0.out).filter { $0.contains(":\(port)") } } ?? []
        tour.emit(TourStep(
            lesson: .timewait, number: 1, title: "The server closes first",
            command: command(serverArguments) + "   then: " + command(clientArguments) + "   (typing nothing)",
            output: lines(server.stdout) + (table == nil ? ["(ss is not installed: apt-get install iproute2)"]
                                                        : ["$ ss -tan state time-wait '( sport = :\(port) )'"] + lines(table!.out)),
            explanation: """
                The client typed nothing for 300 ms, so the server closed the connection: it sent the \
                first FIN. The side that closes first keeps the connection in TIME_WAIT for 60 s on \
                Linux, so that a late packet of this connection cannot be taken for part of a new \
                one between the same two ports. ss shows that entry on the server's port.
                """,
            ok: server.stdout.contains("idle timeout") && (ss == nil || !waiting.isEmpty)))

        server.signal(SIGTERM)
        server.wait(seconds: 10)
        let again = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", String(port), "--explain"]
        let (restarted, restartToken) = try tour.start(again)
        let listening = tour.waitForListeningPort(restarted) == port
        tour.cleanup.run(restartToken)
        tour.emit(TourStep(
            lesson: .timewait, number: 2, title: "Restart on the same port: it works",
            command: command(again),
            output: explained(restarted.stderr, ["setsockopt(SO_REUSEADDR", "bind("]) + lines(restarted.stderr).filter { $0.hasPrefix("listening on") },
            explanation: """
                The server stopped while its old connection is still in TIME_WAIT, and a new one binds \
                the same port at once: nettool, like every server, sets SO_REUSEADDR before bind(), \
                which allows a port whose only users are connections in TIME_WAIT. (It does not let \
                two servers listen on one port.)
                """,
            ok: listening))

        let strict = again.filter { $0 != "--explain" } + ["--no-reuse-address"]
        let refused = try tour.run(strict, seconds: 10)
        tour.emit(TourStep(
            lesson: .timewait, number: 3, title: "Without SO_REUSEADDR: Address already in use",
            command: command(strict),
            output: lines(refused.err) + ["exit status \(refused.status.map(String.init) ?? "none")"],
            explanation: """
                Leave the option out, as a first server program usually does, and bind() fails with \
                EADDRINUSE for as long as TIME_WAIT lasts, though nothing listens on the port: the \
                "Address already in use" of a server restarted too soon. Set SO_REUSEADDR on \
                listening sockets; it is what the option is for.
                """,
            ok: refused.status == 1 && refused.err.contains("EADDRINUSE")))
    }
}
