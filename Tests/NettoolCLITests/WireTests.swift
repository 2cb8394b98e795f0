import Foundation
import Testing

/// The `[wire]` lines of a run's stderr, each cut to its label (`SYN →`, `← SYN-ACK`, …).
private func wireLabels(_ stderr: String) -> [String] {
    stderr.split(separator: "\n").filter { $0.hasPrefix("[wire] ") && !$0.hasPrefix("[wire] capturing") }.map { line in
        let rest = line.dropFirst("[wire] ".count)
        // The label ends where two spaces (the padding) begin.
        return String(rest[..<(rest.range(of: "  ")?.lowerBound ?? rest.endIndex)])
    }
}

/// Where `needle` first occurs among the lines of `text`, or nil.
private func lineIndex(_ text: String, _ needle: String) -> Int? {
    text.split(separator: "\n").firstIndex { $0.contains(needle) }
}

@Suite("--wire: a command shows its own packets", .serialized, .timeLimit(.minutes(1)),
       .enabled(if: getuid() == 0, "capturing on lo needs root or CAP_NET_RAW"))
struct WireTests {
    @Test("tcp-echo-client --wire --explain: SYN, SYN-ACK, ACK, the data and its echo, both FINs, in order among the narration")
    func echoClient() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--json"])
        let port = try #require(server.listeningPort())
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "hello", "--wire", "--explain"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "hello\n")
        let labels = wireLabels(run.stderr)
        try #require(labels.count >= 7, "\(run.stderr)")
        #expect(Array(labels.prefix(3)) == ["SYN →", "← SYN-ACK", "ACK →"], "\(run.stderr)")
        #expect(labels[3] == "PSH-ACK 5 bytes →", "\(run.stderr)")
        #expect(labels.contains("← PSH-ACK 5 bytes"), "no echo segment: \(run.stderr)")
        let fins = labels.filter { $0.contains("FIN") }
        #expect(fins.contains { $0.hasSuffix("→") } && fins.contains { $0.hasPrefix("←") }, "\(run.stderr)")
        // After the last FIN its ACK; nothing of the connection is missing at exit.
        #expect(labels.last?.contains("ACK") == true, "\(run.stderr)")
        // tcpdump's shape with relative numbers, and the narration around the handshake.
        #expect(run.stderr.contains("IP 127.0.0.1.\(port) > 127.0.0.1."), "\(run.stderr)")
        #expect(run.stderr.contains(": Flags [.], ack 1, win "), "\(run.stderr)")
        #expect(run.stderr.contains(": Flags [P.], seq 1:6, ack 1, win "), "\(run.stderr)")
        let connect = try #require(lineIndex(run.stderr, "[explain] socket(AF_INET, SOCK_STREAM) + connect("))
        let syn = try #require(lineIndex(run.stderr, "[wire] SYN →"))
        let ack = try #require(lineIndex(run.stderr, "[wire] ACK →"))
        let connected = try #require(lineIndex(run.stderr, "[explain] connected to"))
        #expect(connect < syn && ack < connected, "\(run.stderr)")
        let send = try #require(lineIndex(run.stderr, "[explain] send(5 bytes)"))
        let data = try #require(lineIndex(run.stderr, "[wire] PSH-ACK 5 bytes →"))
        #expect(connected < send && send < data, "\(run.stderr)")
    }

    @Test("udp-send --wire --json to a closed port: the datagram out, the ICMP port unreachable quoting it back")
    func udpToClosedPort() throws {
        let port = freeUDPPort()
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello", "--wire", "--json"])
        // Refused: exit 4, and the wire shows why.
        #expect(run.status == 4, "\(run.stderr)")
        let wire = run.jsonLines.filter { $0["event"] as? String == "wire" }
        try #require(wire.count == 2, "\(run.stdout)\n\(run.stderr)")
        #expect(wire[0]["protocol"] as? String == "udp" && wire[0]["direction"] as? String == "out")
        #expect(wire[0]["dst_port"] as? Int == port && wire[0]["payload_length"] as? Int == 5, "\(wire[0])")
        let sourcePort = try #require(wire[0]["src_port"] as? Int)
        #expect(wire[1]["protocol"] as? String == "icmp" && wire[1]["direction"] as? String == "in", "\(wire[1])")
        #expect(wire[1]["type_number"] as? Int == 3 && wire[1]["code_number"] as? Int == 3, "port unreachable: \(wire[1])")
        let quoted = try #require(wire[1]["quoted"] as? [String: Any], "\(wire[1])")
        #expect(quoted["src_port"] as? Int == sourcePort && quoted["dst_port"] as? Int == port && quoted["protocol"] as? String == "udp",
                "\(quoted)")
        // The records go to the JSON stream, nothing to stderr.
        #expect(!run.stderr.contains("[wire]"))
    }

    @Test("udp-send --wire --explain: the datagram below its send() line, then the ICMP port unreachable")
    func udpNarrated() throws {
        let port = freeUDPPort()
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello", "--wire", "--explain"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(wireLabels(run.stderr) == ["UDP 5 bytes →", "← ICMP"], "\(run.stderr)")
        #expect(run.stderr.contains(" > 127.0.0.1.\(port): UDP, length 5"), "\(run.stderr)")
        #expect(run.stderr.contains("ICMP destination unreachable, port unreachable, quoting 127.0.0.1."), "\(run.stderr)")
        #expect(run.stderr.contains(" > 127.0.0.1.\(port) udp"), "the quoted datagram: \(run.stderr)")
        let send = try #require(lineIndex(run.stderr, "[explain] send(5 bytes)"))
        let datagram = try #require(lineIndex(run.stderr, "[wire] UDP 5 bytes →"))
        #expect(send < datagram, "\(run.stderr)")
    }

    @Test("download --wire from file-server: the handshake, then the GET request's segment")
    func download() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        defer { server.signal(SIGTERM) }
        let out = NSTemporaryDirectory() + "nettool-wire-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/a.txt", "-o", out, "--wire", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: out) == Data("hello file\n".utf8))
        let wire = run.jsonLines.filter { $0["event"] as? String == "wire" }
        try #require(wire.count >= 4, "\(run.stdout)")
        #expect(wire.prefix(3).map { $0["label"] as? String } == ["SYN →", "← SYN-ACK", "ACK →"], "\(run.stdout)")
        #expect(wire[0]["seq"] as? Int == 0 && wire[1]["ack"] as? Int == 1, "relative numbers: \(wire.prefix(2))")
        let request = wire[3]
        #expect(request["direction"] as? String == "out" && request["dst_port"] as? Int == port, "\(request)")
        // "GET /a.txt HTTP/1.1\r\n" plus the headers: a segment of its own, from seq 1.
        #expect((request["payload_length"] as? Int ?? 0) > 20 && request["seq"] as? Int == 1, "\(request)")
        // The result record comes after the packets.
        #expect(run.jsonLines.last?["event"] as? String != "wire", "\(run.stdout)")
    }

    @Test("without CAP_NET_RAW: one line says so, the echo still works, exit 0")
    func unprivileged() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--json"])
        let port = try #require(server.listeningPort())
        let run = try Run.program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                                                       Run.binary, "tcp-echo-client", "127.0.0.1", "\(port)", "hello", "--wire"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "hello\n")
        let notices = run.stderr.split(separator: "\n").filter { $0.contains("--wire") }
        #expect(notices == ["nettool: --wire: capturing on lo needs root or CAP_NET_RAW (try: sudo setcap cap_net_raw,cap_net_admin=eip $(which nettool)); carrying on without it"],
                "\(run.stderr)")
        #expect(!run.stderr.contains("[wire]"))
    }
}
