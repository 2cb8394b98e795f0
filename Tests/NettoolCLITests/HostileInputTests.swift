import Foundation
import Testing

/// No control character other than a line break: what a terminal may safely be shown.
private func isTerminalSafe(_ text: String) -> Bool {
    !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) }
}

extension LoopbackListener {
    /// Accepts one connection, reads until the client's FIN and answers with `answer`, then closes.
    func acceptAndAnswer(_ answer: [UInt8], within seconds: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) > 0 else { return false }
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return false }
        defer { close(connection) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while recv(connection, &chunk, chunk.count, 0) > 0 {}
        return send(connection, answer, answer.count, 0) == answer.count
    }
}

@Suite("bytes from outside never drive the terminal; careless input gets a sentence", .serialized, .timeLimit(.minutes(1)))
struct HostileInputTests {
    @Test("tcp-echo-client: a hostile server's echo is shown escaped, in the output and in the mismatch report")
    func hostileEcho() throws {
        let listener = try LoopbackListener()
        let answer = Array("\u{1b}]0;pwned\u{7}\u{1b}[2J\rhello".utf8)
        let client = try BackgroundProcess.nettool(["tcp-echo-client", "127.0.0.1", "\(listener.port)", "hello"])
        #expect(listener.acceptAndAnswer(answer, within: 5))
        #expect(client.waitForExit(upTo: 5))
        let run = (status: client.status, stdout: client.stdoutText, stderr: client.stderrText)
        #expect(run.status == 1)
        #expect(isTerminalSafe(run.stdout) && isTerminalSafe(run.stderr), "\(run.stdout.debugDescription) \(run.stderr.debugDescription)")
        #expect(run.stdout.contains("\\x1b]0;pwned\\x07\\x1b[2J\\rhello"), "\(run.stdout)")
        #expect(run.stderr.contains("the echo"))
    }

    @Test("udp-recv: CR and LF in a datagram are shown escaped, so it cannot forge a '#N … from …' line")
    func forgedDatagramLine() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--count", "1", "--timeout", "5s"])
        let port = try #require(recv.listeningPort())
        let forged = "a\r\n#2 5 bytes from 198.18.0.66:53\nforged\t!"
        #expect(try Run.nettool(["udp-send", "127.0.0.1", "\(port)", forged]).status == 0)
        #expect(recv.waitForExit())
        let lines = recv.stdoutText.split(separator: "\n")
        #expect(lines.count == 2 && lines.filter { $0.hasPrefix("#") }.count == 1, "\(recv.stdoutText.debugDescription)")
        #expect(lines.last == "a\\r\\n#2 5 bytes from 198.18.0.66:53\\nforged\\t!")
    }

    @Test("ip-classify: zones must look like interface names; errors quote input escaped")
    func zones() throws {
        let hostile = try Run.nettool(["ip-classify", "fe80::1%\u{1b}]0;x\u{7}"])
        #expect(hostile.status == 1 && hostile.stderr.contains("zone id '\\x1b]0;x\\x07'"), "\(hostile.stderr)")
        #expect(isTerminalSafe(hostile.stdout + hostile.stderr))
        for zone in ["a b", "a%b", "sixteen-bytes-xx"] {
            let run = try Run.nettool(["ip-classify", "fe80::1%" + zone])
            #expect(run.status == 1 && run.stderr.contains("zone id"), "\(zone): \(run.stderr)")
        }
        let good = try Run.nettool(["ip-classify", "fe80::1%eth0", "fe80::1%2", "fe80::1%fifteen-bytes-x"])
        #expect(good.status == 0, "\(good.stderr)")
        let json = try Run.nettool(["ip-classify", "--json", "1.2.3.4\u{1b}"])
        #expect(json.status == 1 && json.stdout.contains("\\u001b"))
        let empty = try Run.nettool(["ip-classify", ""])
        #expect(empty.status == 2 && empty.stderr.contains("empty") && empty.stderr.contains("nettool ip-classify"), "\(empty.stderr)")
    }

    @Test("port-classify: '--' ends options, '+80' has a sign, hostile names are escaped")
    func ports() throws {
        let dashes = try Run.nettool(["port-classify", "--", "80"])
        #expect(dashes.status == 0 && dashes.stdout.hasPrefix("80\n") && !dashes.stderr.contains("'--'"), "\(dashes.stderr)")
        let signed = try Run.nettool(["port-classify", "+80"])
        #expect(signed.status == 1 && signed.stderr.contains("has a sign") && !signed.stderr.contains("out of range"))
        let hostile = try Run.nettool(["port-classify", "\u{1b}[2J\nx"])
        #expect(hostile.status == 1 && isTerminalSafe(hostile.stderr) && hostile.stderr.contains("\\x1b[2J\\nx"), "\(hostile.stderr)")
    }

    @Test("udp-send: a negative port, --ttl 0 and --file FOLDER are refused with the right culprit, before sending")
    func udpSendInput() throws {
        let negative = try Run.nettool(["udp-send", "127.0.0.1", "-1", "hi"])
        #expect(negative.status == 2 && negative.stderr.contains("-1 is a negative number") && !negative.stderr.contains("'hi'"),
                "\(negative.stderr)")
        let ttl = try Run.nettool(["udp-send", "--ttl", "0", "127.0.0.1", "9", "hi"])
        #expect(ttl.status == 2 && ttl.stderr.contains("--ttl 0 is out of range") && !ttl.stderr.contains("setsockopt"))
        let folder = try Run.nettool(["udp-send", "--file", NSTemporaryDirectory(), "127.0.0.1", "9"])
        #expect(folder.status == 2 && folder.stderr.contains("is a folder") && !folder.stderr.contains("sent"), "\(folder.stderr)")
    }
}

@Suite("udp-send through a local firewall rule", .serialized,
       .enabled(if: getuid() == 0, "needs root (ip netns, nft); run the suite as root to exercise it"))
struct FirewallTests {
    @Test("an nftables drop on OUTPUT: one sentence naming the firewall, for single, paced and unpaced sends")
    func outputDrop() throws {
        let nft = try peer("nft", package: "nftables")
        let ip = "/usr/sbin/ip"
        let namespace = "nettool-test-fw\(getpid() % 100_000)"
        #expect(try Run.program(ip, ["netns", "add", namespace]).status == 0)
        defer { _ = try? Run.program(ip, ["netns", "del", namespace]) }
        _ = try Run.program(ip, ["-n", namespace, "link", "set", "lo", "up"])
        let rules = "table inet t {\n chain out {\n  type filter hook output priority 0;\n  udp dport 9999 drop\n }\n}\n"
        let loaded = try Run.program(ip, ["netns", "exec", namespace, nft, "-f", "-"], stdin: Data(rules.utf8))
        try #require(loaded.status == 0, "nft refused the rule: \(loaded.stderr)")
        for extra in [[], ["--count", "3", "--interval", "10ms"], ["--count", "200"]] {
            let run = try Run.program(ip, ["netns", "exec", namespace, Run.binary, "udp-send", "127.0.0.1", "9999", "hi"] + extra)
            #expect(run.status == 1 && run.stderr.contains("a firewall rule on this host refused it"), "\(extra): \(run.stderr)")
            #expect(!run.stderr.contains("closed channel"))
        }
    }
}
