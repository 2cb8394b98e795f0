/// TCP is a byte stream, not messages: three writes come out as one read, small reads split a
/// message, and framing (here: lines) is what gets messages back.
enum StreamLesson {
    /// 99 characters and --newline: 100 bytes a message.
    static let message = "one of three 100-byte messages, written back to back: where does it end? TCP keeps no such mark...."

    static func run(_ tour: TourContext) throws {
        let plain = try exchange(tour, number: 1, title: "Three writes, and what one read returns",
                                 server: ["--explain"], client: ["--repeat", "3", "--newline"], watch: WireCapture.allowed)
        let reads = plain.map { readSizes($0.server) } ?? []
        if let plain {
            tour.emit(TourStep(
                lesson: .stream, number: 1, title: "Three writes, and what one read returns",
                command: command(plain.serverArguments) + "   then: " + command(plain.clientArguments),
                output: plain.client + ["server:"] + plain.serverSteps,
                explanation: """
                    The client wrote three messages of 100 bytes back to back (three buffers handed to \
                    the kernel together), and the server got \(describe(reads)). The kernel keeps a connection's bytes in one \
                    queue and hands over whatever has arrived; nothing in it marks where a write \
                    ended. "recv gave me half a message", or two messages at once, is TCP working as \
                    designed.
                    """,
                ok: plain.clientStatus == 0 && reads.reduce(0, +) == 300))
        }
        onTheWire(tour, plain)

        let small = try exchange(tour, number: 3, title: "Small reads split a message",
                                 server: ["--read-size", "64", "--explain"], client: ["--repeat", "3", "--newline"])
        if let small {
            let sizes = readSizes(small.server)
            tour.emit(TourStep(
                lesson: .stream, number: 3, title: "Small reads split a message",
                command: command(small.serverArguments) + "   and again: " + command(small.clientArguments),
                output: ["server:"] + small.serverSteps,
                explanation: """
                    With reads of at most 64 bytes (a program's recv(fd, buf, 64)) the same 300 bytes \
                    came out as \(describe(sizes)): no read matched a message. The echo was still \
                    byte for byte right, because the bytes are in order; only the boundaries are gone.
                    """,
                ok: small.clientStatus == 0 && sizes.reduce(0, +) == 300 && sizes.allSatisfy { $0 <= 64 }))
        }

        let framed = try exchange(tour, number: 4, title: "Framing: whole lines back",
                                  server: ["--line", "--read-size", "64", "--explain"], client: ["--repeat", "3", "--newline"])
        if let framed {
            tour.emit(TourStep(
                lesson: .stream, number: 4, title: "Framing: whole lines back",
                command: command(framed.serverArguments) + "   and again: " + command(framed.clientArguments),
                output: ["server:"] + framed.serverSteps,
                explanation: """
                    The application has to put the boundaries back. --line makes the server keep what \
                    it read until a newline arrives and echo whole lines: reads of 64 bytes still \
                    split them, but every send is one complete 100-byte message. A newline is one \
                    framing; the other common one is a length prefix (say, 4 bytes giving the size of \
                    what follows), which binary protocols such as TLS records use.
                    """,
                ok: framed.clientStatus == 0 && sentSizes(framed.server) == [100, 100, 100]))
        }
    }

    private struct Exchange {
        let serverArguments: [String]
        let clientArguments: [String]
        let client: [String]
        let clientStatus: Int32?
        /// The server's whole stderr (its --explain), and the steps worth showing.
        let server: String
        let serverSteps: [String]
        /// The capture of the server's port, when the exchange was watched.
        let wire: (command: String, records: [JSONValue], failure: String?)?
    }

    /// A one-connection server with `server` options, and the client sending the message with `client` options.
    private static func exchange(_ tour: TourContext, number: Int, title: String, server: [String], client: [String],
                                 watch: Bool = false) throws -> Exchange? {
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--once"] + server
        guard let (process, port, token) = try tour.startServer(serverArguments, lesson: .stream, number: number,
                title: title) else { return nil }
        defer { tour.cleanup.run(token) }
        let clientArguments = ["tcp-echo-client", "127.0.0.1", String(port), message] + client
        let capture = watch ? try WireCapture(tour, ["capture", "-i", "lo", "--tcp", "--json", "tcp dst port \(port)"]) : nil
        let result = try tour.run(clientArguments)
        process.wait(seconds: 5)
        let wire = capture.map { capture in
            let (records, failure) = capture.finish()
            return (capture.typed, records, failure)
        }
        let steps = explained(process.stderr, ["recv()", "send(", "("]).filter { !$0.hasPrefix("(reads of") }
        return Exchange(serverArguments: serverArguments, clientArguments: clientArguments,
                        client: lines(result.err).filter { !$0.isEmpty }, clientStatus: result.status,
                        server: process.stderr, serverSteps: steps, wire: wire)
    }

    /// The client's three writes as they left: the payload length of each segment to the server.
    private static func onTheWire(_ tour: TourContext, _ exchange: Exchange?) {
        let title = "The three writes on the wire"
        guard let exchange else { return }
        guard let wire = exchange.wire else {
            return tour.emit(TourStep(lesson: .stream, number: 2, title: title, command: nil, output: [], explanation: """
                A capture of the connection would show how many segments carried the three writes; \
                watching the wire needs root or CAP_NET_RAW.
                """, ok: false, skipped: WireCapture.notAllowed))
        }
        let sizes = wire.records.events("packet").compactMap { $0["payload_length"]?.int }.filter { $0 > 0 }
        tour.emit(TourStep(
            lesson: .stream, number: 2, title: title, command: wire.command,
            output: wire.records.events("packet").map(\.segmentLine) + (wire.failure.map { [$0] } ?? []),
            explanation: """
                What went to the server: the three 100-byte writes left as \(segments(sizes)). The \
                kernel sends what the socket's queue holds when it may send (writes made together go \
                together; Nagle's algorithm holds small ones back while data is unacknowledged), so \
                segments need not match writes either: the receiver's reads are a third, independent \
                cut of the same bytes.
                """,
            ok: wire.failure == nil && sizes.reduce(0, +) == 300,
            facts: [("segments", String(sizes.count)), ("payload_lengths", sizes.map(String.init).joined(separator: ","))]))
    }

    /// "one segment of 300 bytes", "3 segments of 100, 100, 100 bytes".
    private static func segments(_ sizes: [Int]) -> String {
        sizes.count == 1 ? "one segment of \(sizes[0]) bytes"
            : "\(sizes.count) segments of " + sizes.map(String.init).joined(separator: ", ") + " bytes"
    }

    /// The byte counts of the server's `recv() → N bytes` steps (not the 0 of the FIN).
    static func readSizes(_ explain: String) -> [Int] {
        explained(explain, ["recv() → "]).compactMap { Int($0.dropFirst("recv() → ".count).prefix { $0.isNumber }) }.filter { $0 > 0 }
    }

    static func sentSizes(_ explain: String) -> [Int] {
        explained(explain, ["send("]).compactMap { Int($0.dropFirst("send(".count).prefix { $0.isNumber }) }
    }

    /// "one read of 300 bytes", "reads of 64, 64, 64, 64 and 44 bytes".
    static func describe(_ sizes: [Int]) -> String {
        switch sizes.count {
        case 0: return "nothing"
        case 1: return "one read of \(sizes[0]) bytes"
        default: return "reads of " + sizes.dropLast().map(String.init).joined(separator: ", ") + " and \(sizes.last!) bytes"
        }
    }
}
