/// The handshake, the data and its ACK, and the close, on the wire: one echo exchange captured
/// on loopback and drawn as a ladder (client left, server right); without the right to capture,
/// a recorded one drawn by the same code.
enum HandshakeLesson {
    static let message = "hello, wire"

    static func run(_ tour: TourContext) throws {
        guard WireCapture.allowed else { return sample(tour) }
        guard let live = try capture(tour) else { return }
        handshakeStep(tour, live.phases, heading: live.heading, commands: live.commands, failure: live.failure,
                      facts: [("source", "live"), ("port", String(live.port)), ("file", live.file)])
        otherSteps(tour, live.phases, sample: false)
    }

    private struct Live {
        let heading: [String]
        let phases: LadderPhases
        let commands: [String]
        let failure: String?
        let port: Int
        let file: String
    }

    /// An echo server, a capture of its port, one client exchange; then the capture file drawn
    /// as a text ladder.
    private static func capture(_ tour: TourContext) throws -> Live? {
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--once"]
        guard let (server, port, serverToken) = try tour.startServer(serverArguments, lesson: .handshake, number: 1,
                title: "The three-way handshake") else { return nil }
        defer { tour.cleanup.run(serverToken) }
        let file = try tour.scratchFolder() + "/handshake.pcap"
        let wire = try WireCapture(tour, ["capture", "-i", "lo", "--ladder", "--json", "-w", file, "--print", "tcp port \(port)"])
        let clientArguments = ["tcp-echo-client", "127.0.0.1", String(port), message]
        let client = try tour.run(clientArguments)
        server.wait(seconds: 5)
        let (records, captureFailure) = wire.finish()
        var arrows = records.compactMap(LadderArrow.init)
        let drawArguments = ["capture", "-r", file, "--tcp", "--ladder"]
        let drawn = try tour.run(drawArguments)
        let heading = LadderArrow.attach(drawn.out, to: &arrows)
        let failure = client.status == 0 ? captureFailure : "tcp-echo-client: " + lines(client.err).joined(separator: " ")
        return Live(heading: heading, phases: LadderPhases(arrows: arrows),
                    commands: [command(serverArguments), wire.typed, command(clientArguments), command(drawArguments)], failure: failure,
                    port: port, file: file)
    }

    /// Without the right to capture: the recorded exchange, drawn in-process.
    static func sample(_ tour: TourContext) {
        let drawn = LadderArrow.sample()
        let phases = LadderPhases(arrows: drawn?.arrows ?? [])
        handshakeStep(tour, phases, heading: drawn?.heading ?? [], commands: [],
                      failure: drawn == nil ? "the recorded sample no longer decodes" : nil, facts: [("source", "recorded sample")])
        otherSteps(tour, phases, sample: true)
    }

    private static func otherSteps(_ tour: TourContext, _ phases: LadderPhases, sample: Bool) {
        dataStep(tour, phases, sample: sample)
        closeStep(tour, phases, sample: sample)
    }

    private static func title(_ text: String, sample: Bool) -> String { sample ? text + " (a recorded sample)" : text }

    /// `facts` start with the source: "live" or "recorded sample".
    private static func handshakeStep(_ tour: TourContext, _ phases: LadderPhases, heading: [String], commands: [String],
                                      failure: String?, facts: [(key: StaticString, value: String)]) {
        let sample = commands.isEmpty
        let source = sample ? """
            Watching the wire needs root or CAP_NET_RAW, which this run does not have, so this is an \
            exchange recorded on loopback (tcp-echo-client sending "hello" to tcp-echo-server), drawn \
            by the same code as capture --ladder. To watch your own: sudo nettool tour handshake.
            """ : """
            The capture (started first, filtered on the server's port) wrote every segment of one \
            tcp-echo-client exchange to a file, and capture -r draws it as a ladder: the client on \
            the left, the server on the right, one arrow per segment, each side's state where it changes.
            """
        tour.emit(TourStep(
            lesson: .handshake, number: 1, title: title("The three-way handshake: SYN, SYN-ACK, ACK", sample: sample),
            command: commands.isEmpty ? nil : commands.joined(separator: "\n$ "),
            output: heading + phases.handshake.map(\.text) + (failure.map { ["!! " + $0] } ?? []),
            explanation: source + " " + """
                connect() sent a SYN carrying the client's initial sequence number (shown as 0: \
                numbers are relative to each side's first, as tcpdump and Wireshark show them); the \
                server's kernel answered SYN-ACK with its own and acknowledged the client's plus one; \
                the client's ACK completed it. Both sides are ESTABLISHED before a byte of data moved, \
                and the server's accept() had nothing to do with it: the kernel did the handshake.
                """,
            ok: failure == nil && phases.handshakeComplete,
            facts: facts + [("segments", String(phases.arrows.count))]))
    }

    private static func dataStep(_ tour: TourContext, _ phases: LadderPhases, sample: Bool) {
        let pair = phases.dataAndAck
        tour.emit(TourStep(
            lesson: .handshake, number: 2, title: title("The data and its ACK", sample: sample),
            command: nil, output: phases.transfer.map(\.text),
            explanation: """
                The client's \(pair.map { "\($0.data.length)" } ?? "?") bytes went as one segment, \
                seq \(pair.map { "\($0.data.seq):\($0.data.seq + $0.data.length)" } ?? "?"): its \
                sequence numbers count bytes, not segments. The server acknowledged them with ack \
                \(pair.map { "\($0.ack.ack)" } ?? "?"), the number of the next byte it expects; the \
                echo travels the same way from the right, with its own numbers. Each side \
                acknowledges what it has received in order; what is not acknowledged in time is sent again.
                """,
            ok: pair.map { $0.data.length == (sample ? 5 : message.utf8.count) } ?? false,
            facts: [("data_bytes", pair.map { String($0.data.length) } ?? ""), ("acknowledged", pair.map { String($0.ack.ack) } ?? "")]))
    }

    private static func closeStep(_ tour: TourContext, _ phases: LadderPhases, sample: Bool) {
        let first = phases.closedFirst ?? "?"
        let close = phases.close
        let shared = close.contains { $0.length > 0 } ? ", the echo among them: after a half-close the other side may still send"
            : close.count < 4 ? ": an ACK rode on a FIN, as the kernel does when both are ready at once" : ", one each"
        tour.emit(TourStep(
            lesson: .handshake, number: 3, title: title("The close, and who waits in TIME_WAIT", sample: sample),
            command: nil, output: close.map(\.text),
            explanation: """
                The \(first) closed first (tcp-echo-client shuts down its sending side when it is \
                done): its FIN, the \(first == "client" ? "server" : "client")'s ACK of it, the other \
                FIN, the last ACK. That is four messages; here \(close.count) segments went from the first FIN on\(shared). \
                The side that closed first ends in TIME_WAIT (here: the \(phases.timeWait ?? "neither side")) \
                for two maximum segment lifetimes (60 s on Linux), so a late duplicate of this \
                connection cannot be taken for part of a new one; the other side is CLOSED at once.
                """,
            ok: phases.closedFirst == "client" && phases.timeWait == "client" && phases.arrows.last?.serverState == "CLOSED",
            facts: [("closed_first", first), ("time_wait", phases.timeWait ?? "none"), ("close_segments", String(close.count))]))
    }
}
