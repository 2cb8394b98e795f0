enum UDPLesson {
    static func run(_ tour: TourContext) throws {
        let receiverArguments = ["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "3", "--timeout", "15s"]
        let (receiver, receiverToken) = try tour.start(receiverArguments)
        defer { tour.cleanup.run(receiverToken) }
        receiver.poll(seconds: 10) { listeningPort($0.stderr) != nil }
        guard let port = listeningPort(receiver.stderr) else {
            return tour.emit(TourStep(lesson: .udp, number: 1, title: "A receiver", command: command(receiverArguments),
                                      output: lines(receiver.stderr), explanation: "The receiver did not start.", ok: false))
        }
        tour.emit(TourStep(
            lesson: .udp, number: 1, title: "A receiver bound to an ephemeral port",
            command: command(receiverArguments), output: lines(receiver.stderr),
            explanation: """
                socket(AF_INET, SOCK_DGRAM) and bind(127.0.0.1, port 0): the kernel picked port \(port). \
                There is no listen() and no accept() in UDP: the socket simply waits for datagrams, \
                from anyone.
                """,
            ok: true, facts: [("port", String(port))]))

        let sendArguments = ["udp-send", "127.0.0.1", String(port), "a datagram", "--count", "3", "--explain"]
        let sent = try tour.run(sendArguments)
        let received = receiver.wait(seconds: 10)
        let got = lines(receiver.stdout)
        tour.emit(TourStep(
            lesson: .udp, number: 2, title: "Three datagrams, no connection",
            command: command(sendArguments),
            output: lines(sent.err).filter { !$0.hasPrefix("sent ") } + lines(sent.out) + ["receiver printed:"] + got,
            explanation: """
                The sender's narration shows the calls: a socket, a connect() that sends nothing \
                (on UDP it only fixes the destination), then send() three times. Nothing was \
                exchanged before the first datagram: no handshake, no acknowledgement. Each datagram arrived whole as its own message; had one been lost, \
                nobody would have said so.
                """,
            ok: sent.status == 0 && received == 0 && got.filter { $0.contains("a datagram") }.count == 3))

        let closed = unusedUDPPort()
        let refusedArguments = ["udp-send", "127.0.0.1", String(closed), "anyone there?", "--wait-reply", "--timeout", "1s"]
        let refused = try tour.run(refusedArguments)
        tour.emit(TourStep(
            lesson: .udp, number: 3, title: "A datagram to a port nobody listens on",
            command: command(refusedArguments), output: lines(refused.err) + ["exit status \(refused.status.map(String.init) ?? "?")"],
            explanation: """
                Nothing is bound to port \(closed), so the kernel answered with an ICMP "port \
                unreachable". nettool's socket is connected (connect() on UDP only fixes the peer), \
                so the kernel reports that ICMP as ECONNREFUSED on the next call: exit status 4. An \
                unconnected socket would never hear of it. UDP itself tells the sender nothing.
                """,
            ok: refused.status == 4 && refused.err.contains("connection refused")))
    }
}
