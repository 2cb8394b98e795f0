enum UDPLesson {
    static func run(_ tour: TourContext) throws {
        let receiverArguments = ["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "3", "--timeout", "15s"]
        guard let (receiver, port, receiverToken) = try tour.startServer(receiverArguments, lesson: .udp, number: 1,
                title: "A receiver") else { return }
        defer { tour.cleanup.run(receiverToken) }
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
        // The ICMP error quotes the datagram's IPv4 header (20 bytes) and UDP header: its destination port is at 30.
        let wire = WireCapture.allowed
            ? try WireCapture(tour, ["capture", "-i", "lo", "--icmp", "--json", "-c", "1", "--duration", "10s", "icmp[30:2] = \(closed)"])
            : nil
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
        unreachable(tour, wire, closed: closed)

        try burst(tour)
    }

    /// The ICMP port unreachable the closed port caused, as captured, and the UDP header it quotes.
    private static func unreachable(_ tour: TourContext, _ wire: WireCapture?, closed: Int) {
        let title = "The ICMP port unreachable on the wire"
        guard let wire else {
            return tour.emit(TourStep(lesson: .udp, number: 4, title: title, command: nil, output: [], explanation: """
                Capturing the ICMP message the kernel sent back would show the port unreachable and the \
                start of the datagram it quotes; watching the wire needs root or CAP_NET_RAW.
                """, ok: false, skipped: WireCapture.notAllowed))
        }
        let (records, failure) = wire.finish()
        let icmp = records.events("packet").first { $0["protocol"]?.string == "icmp" }
        let quoted = icmp?["quoted"]
        let output = icmp.map { packet in [
            "ICMP \(packet["type"]?.string ?? "?"), \(packet["code"]?.string ?? "?"): \(packet["src_ip"]?.string ?? "?") → \(packet["dst_ip"]?.string ?? "?")",
            "  quoting \(quoted?["protocol"]?.string ?? "?") \(quoted?["src_ip"]?.string ?? "?"):\(quoted?["src_port"]?.int ?? 0) → "
                + "\(quoted?["dst_ip"]?.string ?? "?"):\(quoted?["dst_port"]?.int ?? 0)",
        ] } ?? []
        tour.emit(TourStep(
            lesson: .udp, number: 4, title: title, command: wire.typed, output: output + (failure.map { [$0] } ?? []),
            explanation: """
                This is what the kernel sent back: an ICMP "destination unreachable" with code "port \
                unreachable", addressed to the sender. It carries no port of its own: to say which \
                datagram it is about, it quotes that datagram's IP header and the first 8 bytes after \
                it, which for UDP is the whole UDP header (both ports, length, checksum). The sender's \
                kernel matched the quoted ports to the connected socket and reported ECONNREFUSED.
                """,
            ok: failure == nil && icmp?["type_number"]?.int == 3 && icmp?["code_number"]?.int == 3
                && quoted?["protocol"]?.string == "udp" && quoted?["dst_port"]?.int == closed,
            facts: [("quoted_dst_port", quoted?["dst_port"]?.int.map(String.init) ?? "")]))
    }

    /// A thousand datagrams at full speed: grouped on the way down (GSO) and on the way up (GRO).
    private static func burst(_ tour: TourContext) throws {
        let receiverArguments = ["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "1000", "--timeout", "10s",
                                 "--quiet", "--explain"]
        guard let (receiver, port, receiverToken) = try tour.startServer(receiverArguments, lesson: .udp, number: 5,
                title: "A receiver") else { return }
        defer { tour.cleanup.run(receiverToken) }
        let sendArguments = ["udp-send", "127.0.0.1", String(port), "--size", "100", "--count", "1000"]
        let sent = try tour.run(sendArguments)
        let ended = receiver.wait(seconds: 10)
        let reads = lines(receiver.stderr).filter { $0.contains("recvmsg()") || $0.contains("recvfrom()") }
        let summary = lines(receiver.stderr).filter { $0.hasPrefix("received ") }
        tour.emit(TourStep(
            lesson: .udp, number: 5, title: "A thousand datagrams at full speed",
            command: command(sendArguments),
            output: lines(sent.out) + lines(sent.err) + ["receiver (\(command(receiverArguments))), \(reads.count) reads:"]
                + reads.prefix(3) + (reads.count > 3 ? ["…"] : []) + summary,
            explanation: (reads.contains { $0.contains("UDP_GRO") } ? """
                At full speed udp-send hands the kernel 64 copies of the datagram at a time (generic \
                segmentation offload, UDP_SEGMENT): 16 trips down the network stack instead of 1,000. \
                The receiving socket asked for the other half (UDP_GRO), so each group stayed together \
                and came up in one read, which nettool cut back into 100-byte datagrams: boundaries \
                survive, every datagram is still its own message.
                """ : """
                This kernel handled each datagram on its own (no UDP segmentation or receive offload \
                here): one trip down the network stack and one read per datagram.
                """) + """
                 Nothing slows a UDP sender to its receiver's pace (there is no flow control): had the \
                receiver fallen behind, the kernel would have dropped what no longer fit in its receive \
                buffer, telling nobody; udp-recv's summary would then add how many, read from the \
                socket's drop counter in /proc/net/udp.
                """,
            ok: sent.status == 0 && ended == 0 && summary.contains { $0.hasPrefix("received 1,000 datagrams") }))
    }
}
