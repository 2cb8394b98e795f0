#if canImport(Glibc)
import Glibc
#endif

/// Reliability is TCP's job, not IP's: on a path that drops a fifth of the packets, numbered
/// datagrams go missing, while a TCP transfer arrives whole, later, by retransmission.
enum LossLesson {
    static let dropPercent = 20

    static func run(_ tour: TourContext) throws {
        let nftPaths: [String] = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]
        guard let ip = TwoHosts.ipTool(), let nft = nftPaths.first(where: isExecutable) else {
            return withoutRoot(tour)
        }
        let hosts = try TwoHosts(tour, ip: ip, name: "loss")
        defer { hosts.remove(tour) }
        let server = TwoHosts.rightAddress
        let echoArguments = ["tcp-echo-server", "--bind", server, "--port", "7000", "--quiet"]
        let (echo, echoToken) = try tour.start(hosts.inside(hosts.right, [tour.nettool] + echoArguments), program: ip)
        defer { tour.cleanup.run(echoToken) }
        let listening = hosts.failure == nil && tour.waitForListeningPort(echo) == 7000
        let bench = ["tcp-echo-client", server, "7000", "--bench", "--connections", "1", "--size", "65536", "--messages", "16", "--timeout", "30s"]
        let clean = try tour.run(hosts.inside(hosts.left, [tour.nettool] + bench), program: ip, seconds: 30)
        tour.emit(TourStep(
            lesson: .loss, number: 1, title: "Two hosts, and 1 MiB over TCP on a clean path",
            command: command(bench) + "   (on \(TwoHosts.leftAddress), to an echo server on \(server))",
            output: hosts.commands.map { "ip " + $0.joined(separator: " ") } + (hosts.failure.map { [$0] } ?? []) + lines(clean.out),
            explanation: """
                Two network namespaces joined by a virtual cable, as in a lab: \(TwoHosts.leftAddress) \
                and \(server) (the benchmarking range). Sixteen 64 KiB messages, 1 MiB in all, go to \
                the echo server and come back, every byte checked. Nothing is lost on this path yet.
                """,
            ok: listening && clean.status == 0))
        guard listening else { return }

        let rule = ["meta", "l4proto", "{", "udp,", "tcp", "}", "numgen", "random", "mod", "100", "<", String(dropPercent), "drop"]
        let (ruleCommands, ruleFailure) = try addRule(tour, hosts: hosts, nft: nft, in: hosts.right, table: "nettool_loss", hook: "input", rule: rule)
        // The receiver is ended with SIGINT once the sender is done, not by an idle timeout: on a
        // busy machine starting the sender can take longer than any short timeout.
        let receiveArguments = ["udp-recv", "--bind", server, "--port", "9000", "--numbered"]
        let (receiver, receiverToken) = try tour.start(
            hosts.inside(hosts.right, [tour.nettool] + receiveArguments + ["--timeout", "60s"]), program: ip)
        defer { tour.cleanup.run(receiverToken) }
        let receiving = receiver.poll(seconds: 15) { $0.stderr.contains("listening on") }
        let sendArguments = ["udp-send", server, "9000", "datagram", "--count", "1000", "--numbered", "--rate", "10000"]
        let sent = try tour.run(hosts.inside(hosts.left, [tour.nettool] + sendArguments), program: ip, seconds: 15)
        usleep(300_000)
        receiver.signal(SIGINT)
        receiver.wait(seconds: 10)
        let summary = lines(receiver.stderr).filter { $0.hasPrefix("received ") || $0.hasPrefix("numbered: ") }
        let arrived = summary.first { $0.hasPrefix("numbered: ") }
            .flatMap { Int($0.dropFirst("numbered: ".count).prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)) } ?? -1
        tour.emit(TourStep(
            lesson: .loss, number: 2, title: "UDP on a path that drops \(dropPercent)%: datagrams just vanish",
            command: command(sendArguments) + "   (to " + command(receiveArguments) + ", ended with Ctrl-C once the sender is done)",
            output: ruleCommands + (ruleFailure.map { [$0] } ?? [])
                + lines(sent.err) + summary,
            explanation: """
                An nftables rule on \(server)'s input now drops \(dropPercent) of every 100 packets at \
                random (the way a congested or noisy link loses them). udp-send numbered its 1,000 \
                datagrams and every sendto() succeeded, yet only about \(100 - dropPercent)% arrived, and \
                nobody was told: UDP, like IP under it, makes no promise of delivery. The receiver \
                knows what is missing only because the sender numbered the datagrams; an \
                application that needs every one must number, acknowledge and resend them itself.
                """,
            ok: receiving && ruleFailure == nil && sent.status == 0 && (600...950).contains(arrived)))

        try retransmissions(tour, hosts: hosts, bench: bench)

        try localDrop(tour, hosts: hosts, nft: nft)
    }

    /// The same transfer on the lossy path, captured on the left host's side of the cable: the
    /// segments the capture marks as retransmissions beside the kernel's own counter.
    private static func retransmissions(_ tour: TourContext, hosts: TwoHosts, bench: [String]) throws {
        let wire = try WireCapture(tour, ["capture", "-i", hosts.leftDevice, "--tcp", "--json", "tcp port 7000"],
                                   in: hosts.left, of: hosts)
        let before = try retransmittedSegments(tour, hosts: hosts)
        let lossy = try tour.run(hosts.inside(hosts.left, [tour.nettool] + bench), program: hosts.ip, seconds: 60)
        let after = try retransmittedSegments(tour, hosts: hosts)
        let (records, failure) = wire.finish()
        let retransmitted = before.flatMap { start in after.map { $0 - start } }
        let marked = records.events("packet").filter { $0["analysis"]?.strings.contains { $0.contains("retransmission") } == true }
        let fromLeft = marked.filter { $0["src_ip"]?.string == TwoHosts.leftAddress }
        let worth = segmentsWorth(fromLeft, in: records)
        tour.emit(TourStep(
            lesson: .loss, number: 3, title: "TCP on the same path: every byte, later",
            command: command(bench) + "\n$ " + wire.typed,
            output: lines(lossy.out)
                + [retransmitted.map { "TcpRetransSegs on \(TwoHosts.leftAddress): +\($0) (from /proc/net/snmp)" } ?? "TcpRetransSegs could not be read",
                   "on the wire: \(fromLeft.count) packets from \(TwoHosts.leftAddress) marked as retransmissions"
                   + (worth.map { ", \($0.segments) segments' worth at its MSS of \($0.mss) bytes" } ?? "")
                   + "; \(marked.count - fromLeft.count) from \(TwoHosts.rightAddress)"]
                + fromLeft.prefix(3).map { "  " + $0.segmentLine } + (fromLeft.count > 3 ? ["  …"] : []) + (failure.map { [$0] } ?? []),
            explanation: """
                The same 1 MiB through the same lossy path arrived whole and verified, only slower. \
                TCP numbers every byte; the receiver acknowledges what it has, and the sender's \
                kernel resent each segment that was not acknowledged in time (the counter above), \
                waiting longer after each loss. The capture sees the resent segments too: a segment \
                whose bytes were already sent is marked a retransmission (a fast one when duplicate \
                ACKs asked for it). The capture counts fewer: the kernel hands it whole bursts of up to \
                64 KiB (segmentation offload) before they are cut to the link's size, while \
                TcpRetransSegs counts every MSS-sized segment resent; counting each packet's \
                segments comes closer. The echo server's side resends too, when an ACK is lost. \
                Reliability is TCP's work, done at the ends, not the network's.
                """,
            ok: lossy.status == 0 && failure == nil && (retransmitted ?? 0) > 0 && !fromLeft.isEmpty,
            facts: [("retransmitted_kernel", retransmitted.map(String.init) ?? ""), ("retransmissions_marked", String(fromLeft.count))]))
    }

    /// How many MSS-sized segments `packets` hold: the capture sees a packet before the card (or
    /// veth) cuts it to the link's size, while the kernel counts each segment. The MSS is the one
    /// the left host announced in its SYN; nil when the SYN was not captured.
    private static func segmentsWorth(_ packets: [JSONValue], in records: [JSONValue]) -> (segments: Int, mss: Int)? {
        let syn = records.first { $0.flags == ["SYN"] && $0["src_ip"]?.string == TwoHosts.leftAddress }
        guard case .array(let options)? = syn?["options"],
              let mss = options.first(where: { $0["kind"]?.string == "mss" })?["value"]?.int, mss > 0 else { return nil }
        let segments = packets.reduce(0) { total, packet in total + max(1, ((packet["payload_length"]?.int ?? 0) + mss - 1) / mss) }
        return (segments, mss)
    }

    /// A drop on the sender's own output is not loss: the kernel tells the sender.
    private static func localDrop(_ tour: TourContext, hosts: TwoHosts, nft: String) throws {
        let (ruleCommands, ruleFailure) = try addRule(tour, hosts: hosts, nft: nft, in: hosts.left, table: "nettool_block", hook: "output",
                                                      rule: ["udp", "dport", "9001", "drop"])
        let sendArguments = ["udp-send", TwoHosts.rightAddress, "9001", "hello"]
        let sent = try tour.run(hosts.inside(hosts.left, [tour.nettool] + sendArguments), program: hosts.ip, seconds: 10)
        tour.emit(TourStep(
            lesson: .loss, number: 4, title: "A drop on the sender's own host is not loss: send() fails",
            command: command(sendArguments),
            output: ruleCommands + (ruleFailure.map { [$0] } ?? [])
                + lines(sent.err) + ["exit status \(sent.status.map(String.init) ?? "none")"],
            explanation: """
                A rule on the sending host's output path is different: the datagram never leaves, and \
                the kernel says so at once, as sendto() failing with EPERM ("Operation not \
                permitted"). Loss on the path is silent; a local firewall is not.
                """,
            ok: ruleFailure == nil && sent.status == 1 && sent.err.contains("firewall")))
    }

    /// An nftables table in `namespace` with one filter chain on `hook` holding `rule`: the
    /// commands as a person would type them, and the first one that failed, if any.
    private static func addRule(_ tour: TourContext, hosts: TwoHosts, nft: String, in namespace: String, table: String, hook: String,
                                rule: [String]) throws -> (commands: [String], failure: String?) {
        let commands: [[String]] = [
            ["add", "table", "inet", table],
            ["add", "chain", "inet", table, hook, "{", "type", "filter", "hook", hook, "priority", "0", ";", "}"],
            ["add", "rule", "inet", table, hook] + rule,
        ]
        var failure: String?
        for arguments in commands where failure == nil {
            let result = try tour.run(hosts.inside(namespace, [nft] + arguments), program: hosts.ip, seconds: 10)
            if result.status != 0 { failure = "nft \(arguments.joined(separator: " ")): \(result.err)" }
        }
        return (commands.map { "ip netns exec \(namespace) nft " + $0.joined(separator: " ") }, failure)
    }

    /// TcpRetransSegs of the left host, from its /proc/net/snmp.
    private static func retransmittedSegments(_ tour: TourContext, hosts: TwoHosts) throws -> Int? {
        let snmp = try tour.run(hosts.inside(hosts.left, ["cat", "/proc/net/snmp"]), program: hosts.ip, seconds: 5)
        let rows = lines(snmp.out).filter { $0.hasPrefix("Tcp:") }.map { $0.split(separator: " ") }
        guard rows.count == 2, let column = rows[0].firstIndex(of: "RetransSegs"), column < rows[1].count else { return nil }
        return Int(rows[1][column])
    }

    private static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Without root (or without nftables): what the lesson would show, and why it cannot here.
    static func withoutRoot(_ tour: TourContext) {
        tour.emit(TourStep(
            lesson: .loss, number: 1, title: "UDP loses, TCP retransmits (needs root)",
            command: nil, output: [],
            explanation: """
                This lesson builds two test hosts (network namespaces on a virtual cable) and a path \
                that drops \(dropPercent)% of packets with nftables, which needs root and the nft tool \
                (apt-get install nftables). It would show 1,000 numbered UDP datagrams of which \
                about \(1000 - 10 * dropPercent) arrive, the missing numbers named, and 1 MiB over TCP \
                that arrives whole, later, with the kernel's retransmissions counted. To see it: sudo \
                nettool tour loss.
                """,
            ok: false, skipped: geteuid() == 0 ? "needs the nft tool (apt-get install nftables)" : "needs root (sudo nettool tour loss)"))
    }
}
