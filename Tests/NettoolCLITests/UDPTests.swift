import Foundation
import Synchronization
import Testing

/// Every byte value, as hex for `--hex` and as the raw bytes a peer should see.
private let allBytes = Data((0...255).map { UInt8($0) })
private let allBytesHex = allBytes.map { String(format: "%02x", $0) }.joined(separator: " ")

private func hexOf(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

@Suite("udp-send and udp-recv against real peers", .serialized, .timeLimit(.minutes(2)))
struct UDPPeerTests {
    @Test("udp-send → socat, IPv4 and IPv6, every byte value", arguments: [("UDP4", "127.0.0.1"), ("UDP6", "::1")])
    func sendToSocat(kind: String, host: String) throws {
        let port = freeUDPPort()
        let bindHost = host.contains(":") ? "[\(host)]" : host
        let socat = try BackgroundProcess(try peer("socat", package: "socat"), ["-u", "-T", "1", "\(kind)-RECVFROM:\(port),bind=\(bindHost)", "STDOUT"])
        usleep(300_000)
        let send = try Run.nettool(["udp-send", "--hex", host, "\(port)", allBytesHex, "--quiet"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(socat.waitForExit(upTo: 5))
        #expect(socat.stdout == allBytes)
    }

    @Test("udp-send → nc -u -l, IPv4 and IPv6, text", arguments: ["127.0.0.1", "::1"])
    func sendToNetcat(host: String) throws {
        let port = freeUDPPort()
        let nc = try BackgroundProcess(try peer("nc", package: "netcat-openbsd"), ["-u", "-l", "-W", "1", host, "\(port)"])
        usleep(300_000)
        let send = try Run.nettool(["udp-send", host, "\(port)", "hello netcat", "--quiet"])
        #expect(send.status == 0)
        #expect(nc.waitForExit(upTo: 5))
        #expect(nc.stdoutText == "hello netcat")
    }

    @Test("socat and nc → udp-recv: every sender is taken, binary payloads intact")
    func peersToReceiver() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--count", "3", "--timeout", "5s", "--json"])
        let port = try #require(recv.listeningPort())
        _ = try Run.program(try peer("socat", package: "socat"), ["-u", "STDIN", "UDP6-SENDTO:[::1]:\(port)"], stdin: allBytes)
        _ = try Run.program(try peer("socat", package: "socat"), ["-u", "STDIN", "UDP4-SENDTO:127.0.0.1:\(port)"], stdin: Data("v4 text".utf8))
        // -w1, not -w0: with -w0 nc may give up before the test has fed its stdin.
        _ = try Run.program(try peer("nc", package: "netcat-openbsd"), ["-u", "-w1", "127.0.0.1", "\(port)"], stdin: Data("from nc".utf8))
        #expect(recv.waitForExit(upTo: 5))
        #expect(recv.status == 0)
        let lines = recv.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let datagrams = lines.filter { $0["event"] as? String == "datagram" }
        try #require(datagrams.count == 3, "udp-recv printed: \(recv.stdoutText)")
        #expect(datagrams[0]["hex"] as? String == hexOf(allBytes))
        #expect(datagrams[0]["text"] is NSNull)
        #expect((datagrams[0]["from"] as? String)?.hasPrefix("[::1]:") == true)
        #expect(datagrams[1]["text"] as? String == "v4 text")
        // IPv4 senders on the dual-stack socket are shown as IPv4, not ::ffff:.
        #expect((datagrams[1]["from"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(datagrams[2]["text"] as? String == "from nc")
        #expect(datagrams[2]["interface"] as? String == "lo")
        let summary = try #require(lines.last)
        #expect(summary["event"] as? String == "summary" && summary["senders"] as? Int == 3)
        #expect(summary["kernel_drops"] as? Int == 0)
    }

    @Test("udp-recv --echo answers udp-send --wait-reply")
    func echoReply() throws {
        let echo = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--echo", "--count", "2", "--timeout", "5s"])
        let port = try #require(echo.listeningPort())
        let first = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "ping", "--wait-reply"])
        #expect(first.status == 0)
        #expect(first.stdout == "ping\n")
        let second = try Run.nettool(["udp-send", "::1", "\(port)", "--hex", "00 ff 10", "--wait-reply", "--json"])
        #expect(second.status == 0)
        #expect(second.stdout.contains(#""event":"reply""#) && second.stdout.contains(#""hex":"00ff10""#))
        #expect(echo.waitForExit())
    }

    @Test("a datagram to a closed port is reported as refused (exit 4), not a hang")
    func portUnreachable() throws {
        let port = freeUDPPort()
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "anyone?", "--wait-reply", "--timeout", "3s"])
        #expect(run.status == 4)
        #expect(run.stderr.contains("connection refused: nothing listens on 127.0.0.1:\(port)/udp"))
    }

    @Test("--wait-reply gives up after --timeout with exit 5")
    func replyTimeout() throws {
        let silent = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--count", "1", "--timeout", "5s"])
        let port = try #require(silent.listeningPort())
        let start = Date()
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello?", "--wait-reply", "--timeout", "300ms"])
        #expect(run.status == 5)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(run.stderr.contains("no reply from 127.0.0.1:\(port) within 300ms"))
    }

    @Test("udp-recv --timeout exits on time with status 1 when nothing came")
    func receiveTimeout() throws {
        let start = Date()
        let run = try Run.nettool(["udp-recv", "--port", "0", "--timeout", "400ms"])
        let elapsed = Date().timeIntervalSince(start)
        #expect(run.status == 1)
        #expect(elapsed >= 0.4 && elapsed < 3)
        #expect(run.stderr.contains("received 0 datagrams"))
    }

    @Test("65,507 bytes go through on IPv4; 65,508 are refused with the reason")
    func sizeLimit() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "1", "--timeout", "5s", "--json"])
        let port = try #require(recv.listeningPort())
        let ok = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--size", "65507"])
        #expect(ok.status == 0)
        #expect(recv.waitForExit())
        #expect(recv.stdoutText.contains(#""bytes":65507"#))
        let tooBig = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--size", "65508"])
        #expect(tooBig.status == 1)
        #expect(tooBig.stderr.contains("the limit is 65507"))
    }

    @Test("broadcast is refused without --broadcast")
    func broadcastRefused() throws {
        let run = try Run.nettool(["udp-send", "255.255.255.255", "9", "x"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("needs --broadcast"))
    }

    @Test("bad host, port and hex are usage errors (2); an unresolvable name is 3", arguments: [
        (["udp-send", "999.1.1.1", "9", "x"], Int32(2), "not a valid IP address"),
        (["udp-send", "bad_host!", "9", "x"], 2, "neither an IP address nor a valid host name"),
        (["udp-send", "127.0.0.1", "70000", "x"], 2, "out of range"),
        (["udp-send", "127.0.0.1", "9", "--hex", "abc"], 2, "odd number of hex digits"),
        (["udp-send", "127.0.0.1", "9", "--hex", "zz"], 2, "'z' is not a hex digit"),
        (["udp-recv", "--port", "70000"], 2, "port 70000 is out of range"),
        (["udp-recv", "--port", "9", "--join", "10.0.0.1"], 2, "multicast group"),
        // -6 with an IPv4 literal fails inside getaddrinfo, without any DNS traffic.
        (["udp-send", "-6", "127.0.0.1", "9", "x"], 3, "cannot resolve '127.0.0.1'"),
    ])
    func usageErrors(arguments: [String], status: Int32, message: String) throws {
        let run = try Run.nettool(arguments)
        #expect(run.status == status)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("--rate above 1,000/s sends in batches that keep the pace: every datagram, never early")
    func highRate() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "5000",
                                                  "--timeout", "10s", "--numbered", "--json", "--quiet"])
        let port = try #require(recv.listeningPort())
        let started = Date()
        let send = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "x", "--rate", "20000", "--count", "5000", "--numbered", "--quiet"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(send.status == 0, "\(send.stderr)")
        // 5,000 at 20,000/s take at least 0.25 s; sent without pacing they would take milliseconds.
        #expect(elapsed >= 0.24, "sent 5,000 datagrams in \(elapsed) s at --rate 20000")
        #expect(recv.waitForExit(upTo: 10))
        let summary = try #require(recv.stdoutText.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(summary["datagrams"] as? Int == 5000, "\(recv.stdoutText.suffix(400))")
    }

    @Test("--explain narrates the socket calls on stderr and leaves stdout clean")
    func explain() throws {
        let echo = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--echo", "--count", "1", "--timeout", "5s"])
        let port = try #require(echo.listeningPort())
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hi", "--wait-reply", "--explain"])
        #expect(run.stdout == "hi\n")
        for call in ["socket(AF_INET, SOCK_DGRAM)", "connect(127.0.0.1:\(port))", "send(2 bytes)", "recv() → 2 bytes", "close()"] {
            #expect(run.stderr.contains(call), "missing \(call)")
        }
    }

    @Test("udp-recv --explain tells a grouped read (UDP_GRO) from single ones, and prints every datagram")
    func explainGroupedRead() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "64",
                                                  "--timeout", "5s", "--explain"])
        let port = try #require(recv.listeningPort())
        let send = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--size", "10", "--count", "64", "--quiet"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(recv.waitForExit())
        #expect(recv.stderrText.contains("bytes from 127.0.0.1:"), "\(recv.stderrText)")
        #expect(recv.stderrText.contains("UDP_GRO segment size 10"), "\(recv.stderrText)")
        #expect(!recv.stderrText.contains("recvfrom() → 10 bytes"))
        #expect(recv.stdoutText.split(separator: "\n").filter { $0 == "nettool ab" }.count == 64, "\(recv.stdoutText)")
        #expect(recv.stdoutText.contains("#64 10 bytes from 127.0.0.1:"))
    }

    @Test("datagrams the kernel dropped for a stalled receiver are counted in its summary")
    func kernelDrops() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--timeout", "1s",
                                                  "--quiet", "--json"])
        let port = try #require(recv.listeningPort())
        recv.signal(SIGSTOP)
        // 20,000 x 1,400 bytes: well past the 8 MiB receive buffer udp-recv asks for (16 MiB at most).
        let send = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--size", "1400", "--count", "20000", "--no-gso", "--quiet"])
        recv.signal(SIGCONT)
        #expect(send.status == 0, "\(send.stderr)")
        #expect(recv.waitForExit(upTo: 10))
        let summary = try #require(try JSONSerialization.jsonObject(
            with: Data((recv.stdoutText.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        let received = try #require(summary["datagrams"] as? Int), drops = try #require(summary["kernel_drops"] as? Int)
        #expect(drops > 0, "\(summary)")
        #expect(received + drops == 20_000, "\(summary)")
    }

    @Test("--source-port, --bind, --lines, --file, --count with --interval, --ttl")
    func sendOptions() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--count", "7", "--timeout", "5s", "--json"])
        let port = try #require(recv.listeningPort())
        let sourcePort = freeUDPPort()
        let fromPort = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "a", "--source-port", "\(sourcePort)", "--bind", "127.0.0.1", "--ttl", "3"])
        #expect(fromPort.status == 0, "\(fromPort.stderr)")
        let lines = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--lines"], stdin: "one\ntwo\n")
        #expect(lines.stderr.contains("sent 2 datagrams"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nettool-udp-\(getpid()).bin")
        try Data([0, 1, 2, 255]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--file", file.path]).status == 0)
        let start = Date()
        let paced = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "tick", "--count", "3", "--interval", "150ms"])
        #expect(paced.status == 0 && Date().timeIntervalSince(start) >= 0.3)
        #expect(recv.waitForExit())
        let datagrams = recv.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["event"] as? String == "datagram" }
        try #require(datagrams.count == 7, "\(recv.stdoutText)")
        #expect(datagrams[0]["from"] as? String == "127.0.0.1:\(sourcePort)")
        #expect(datagrams[1]["text"] as? String == "one" && datagrams[2]["text"] as? String == "two")
        #expect(datagrams[3]["hex"] as? String == "000102ff")
        #expect(datagrams[4...].allSatisfy { $0["text"] as? String == "tick" })
    }

    @Test("an unknown interface is named in the error, before anything is sent")
    func unknownInterface() throws {
        let send = try Run.nettool(["udp-send", "239.255.77.1", "9", "x", "--multicast-interface", "nosuch0"])
        #expect(send.status == 1)
        #expect(send.stderr.contains("no such interface: nosuch0"))
        let recv = try Run.nettool(["udp-recv", "--port", "0", "--join", "239.255.77.1", "--interface", "nosuch0", "--timeout", "1s"])
        #expect(recv.status == 1)
        #expect(recv.stderr.contains("no such interface: nosuch0"))
    }

    @Test("a port already in use is one clear sentence, exit 1")
    func portInUse() throws {
        let first = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--timeout", "5s"])
        let port = try #require(first.listeningPort())
        let second = try Run.nettool(["udp-recv", "--port", "\(port)", "--timeout", "1s"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot bind [::]:\(port): address already in use"))
    }

    @Test("SIGINT ends udp-recv cleanly with a summary")
    func interrupt() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0"])
        let port = try #require(recv.listeningPort())
        _ = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "one", "--quiet"])
        #expect(recv.wait { $0.stdoutText.contains("one") })
        recv.signal(SIGINT)
        #expect(recv.waitForExit())
        #expect(recv.status == 0)
        #expect(recv.stderrText.contains("received 1 datagram, 3 bytes from 1 sender"))
    }
}

/// Multicast needs an interface with the MULTICAST flag, which this host's `lo` lacks; the test
/// makes its own network namespace (its own `lo`), enables multicast there, and deletes it.
@Suite("multicast in a test-owned network namespace", .serialized,
       .enabled(if: getuid() == 0, "needs root (ip netns); run the suite as root to exercise multicast"))
struct MulticastTests {
    @Test("udp-recv --join gets a datagram udp-send sends to the group")
    func joinIPv4Group() throws {
        let namespace = "nettool-test-mc-\(getpid())"
        let ip = "/usr/sbin/ip"
        defer { _ = try? Run.program(ip, ["netns", "del", namespace]) }
        for step in [["netns", "add", namespace], ["-n", namespace, "link", "set", "lo", "up"],
                     ["-n", namespace, "link", "set", "lo", "multicast", "on"],
                     ["-n", namespace, "route", "add", "224.0.0.0/4", "dev", "lo"]] {
            try #require(try Run.program(ip, step).status == 0, "ip \(step.joined(separator: " ")) failed")
        }
        let recv = try BackgroundProcess(ip, ["netns", "exec", namespace, Run.binary, "udp-recv", "--port", "0",
                                              "--join", "239.255.77.1", "--interface", "lo", "--count", "1", "--timeout", "5s"])
        let port = try #require(recv.listeningPort())
        let send = try Run.program(ip, ["netns", "exec", namespace, Run.binary, "udp-send", "239.255.77.1", "\(port)",
                                        "hello group", "--multicast-interface", "lo"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(recv.waitForExit())
        #expect(recv.stdoutText.contains("to 239.255.77.1 on lo"))
        #expect(recv.stdoutText.contains("hello group"))
    }
}

/// Two test-owned namespaces joined by a veth pair, on the benchmarking ranges 198.18.0.0/15 and
/// fd00:198:18::/48; everything is deleted when the value goes away, even after a failure.
final class VethPair {
    private static let counter = Atomic<Int>(0)
    let left: String, right: String, leftDevice: String, rightDevice: String
    private let ip = "/usr/sbin/ip"

    /// `macs` fixes both ends' MAC addresses and turns off IPv6 link-local addresses, so the
    /// wire carries no DAD, router solicitations or other traffic the test did not make.
    init(macs: (left: String, right: String)? = nil) throws {
        // Unique per pair: suites run in parallel within one test process.
        let tag = "\(getpid() % 10_000)\(Self.counter.add(1, ordering: .relaxed).newValue)"
        left = "nettool-test-a\(tag)"; right = "nettool-test-b\(tag)"
        leftDevice = "ntva\(tag)"; rightDevice = "ntvb\(tag)"
        var quiet: [[String]] = []
        if let macs {
            quiet = [["-n", left, "link", "set", leftDevice, "address", macs.left, "addrgenmode", "none"],
                     ["-n", right, "link", "set", rightDevice, "address", macs.right, "addrgenmode", "none"]]
        }
        let steps: [[String]] = [
            ["netns", "add", left], ["netns", "add", right],
            ["link", "add", leftDevice, "netns", left, "type", "veth", "peer", "name", rightDevice, "netns", right],
        ] + quiet + [
            ["-n", left, "link", "set", leftDevice, "up"], ["-n", right, "link", "set", rightDevice, "up"],
            ["-n", left, "addr", "add", "198.18.0.1/24", "brd", "+", "dev", leftDevice],
            ["-n", right, "addr", "add", "198.18.0.2/24", "brd", "+", "dev", rightDevice],
            ["-n", left, "-6", "addr", "add", "fd00:198:18::1/64", "dev", leftDevice, "nodad"],
            ["-n", right, "-6", "addr", "add", "fd00:198:18::2/64", "dev", rightDevice, "nodad"],
        ]
        for step in steps {
            let run = try Run.program(ip, step)
            guard run.status == 0 else { throw VethError(step: step.joined(separator: " "), message: run.stderr) }
        }
    }

    /// `nettool ARGUMENTS` inside `namespace`.
    func nettool(in namespace: String, _ arguments: [String]) -> [String] {
        ["netns", "exec", namespace, Run.binary] + arguments
    }

    deinit {
        _ = try? Run.program(ip, ["netns", "del", left])
        _ = try? Run.program(ip, ["netns", "del", right])
    }
}

struct VethError: Error, CustomStringConvertible {
    let step: String
    let message: String
    var description: String { "ip \(step) failed: \(message)" }
}

@Suite("UDP across a veth pair between test-owned namespaces", .serialized,
       .enabled(if: getuid() == 0, "needs root (ip netns, veth); run the suite as root to exercise it"))
struct VethTests {
    @Test("IPv6 multicast: a group joined on one side gets what the other side sends")
    func ipv6Multicast() throws {
        let pair = try VethPair()
        let recv = try BackgroundProcess("/usr/sbin/ip", pair.nettool(in: pair.right, [
            "udp-recv", "--port", "0", "--join", "ff15::77", "--interface", pair.rightDevice, "--count", "1", "--timeout", "5s"]))
        let port = try #require(recv.listeningPort())
        let send = try Run.program("/usr/sbin/ip", pair.nettool(in: pair.left, [
            "udp-send", "ff15::77", "\(port)", "hello v6 group", "--multicast-interface", pair.leftDevice]))
        #expect(send.status == 0, "\(send.stderr)")
        #expect(recv.waitForExit())
        #expect(recv.stdoutText.contains("from [fd00:198:18::1]:"))
        #expect(recv.stdoutText.contains("to ff15::77 on \(pair.rightDevice)"))
        #expect(recv.stdoutText.contains("hello v6 group"))
    }

    @Test("a directed broadcast is refused without --broadcast and delivered with it")
    func broadcast() throws {
        let pair = try VethPair()
        let recv = try BackgroundProcess("/usr/sbin/ip", pair.nettool(in: pair.right, [
            "udp-recv", "--port", "0", "--count", "1", "--timeout", "5s"]))
        let port = try #require(recv.listeningPort())
        let refused = try Run.program("/usr/sbin/ip", pair.nettool(in: pair.left, ["udp-send", "198.18.0.255", "\(port)", "x"]))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("198.18.0.255 is a broadcast address: sending to it needs --broadcast"))
        let sent = try Run.program("/usr/sbin/ip", pair.nettool(in: pair.left, [
            "udp-send", "198.18.0.255", "\(port)", "hello everyone", "--broadcast"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(recv.waitForExit())
        #expect(recv.stdoutText.contains("from 198.18.0.1:"))
        #expect(recv.stdoutText.contains("to 198.18.0.255 on \(pair.rightDevice)"))
    }

    @Test("an unpaced run leaves grouped by UDP_SEGMENT and arrives as separate datagrams; --no-gso sends them singly")
    func segmentationOffload() throws {
        let pair = try VethPair()
        // What left the sender, as tcpdump on the sending side sees it: one line per packet.
        // tcpdump stops by itself after `packets` (it ignores signals from this test process).
        func wireLengths(_ sendArguments: [String], expect datagrams: Int, of size: Int, packets: Int) throws -> [Substring] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("nettool-gso-\(getpid()).pcap").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let tcpdump = try BackgroundProcess("/usr/sbin/ip", ["netns", "exec", pair.left, try peer("tcpdump", package: "tcpdump"),
                                                                 "-i", pair.leftDevice, "-nn", "-c", "\(packets)", "-w", path, "udp"])
            try #require(tcpdump.wait { $0.stderrText.contains("listening on") }, "tcpdump did not start: \(tcpdump.stderrText)")
            let recv = try BackgroundProcess("/usr/sbin/ip", pair.nettool(in: pair.right, [
                "udp-recv", "--port", "0", "--count", "\(datagrams)", "--timeout", "5s", "--json", "--quiet"]))
            let port = try #require(recv.listeningPort())
            let send = try Run.program("/usr/sbin/ip", pair.nettool(in: pair.left, ["udp-send", "198.18.0.2", "\(port)"] + sendArguments))
            #expect(send.status == 0, "\(send.stderr)")
            #expect(recv.waitForExit())
            let summary = try JSONSerialization.jsonObject(with: Data((recv.stdoutText.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
            #expect(summary?["datagrams"] as? Int == datagrams, "udp-recv printed: \(recv.stdoutText)")
            #expect(summary?["bytes"] as? Int == datagrams * size)
            #expect(tcpdump.waitForExit(), "\(tcpdump.stderrText)")
            return try Run.program(try peer("tcpdump", package: "tcpdump"), ["-nn", "-r", path]).stdout.split(separator: "\n")
        }
        func udpLengths(_ lines: [Substring]) -> [Int] {
            lines.compactMap { line in line.range(of: "UDP, length ").flatMap { Int(line[$0.upperBound...]) } }
        }
        // 60 copies of 1,000 bytes fit one send (at most 64, 65,000 bytes): one large packet on the wire.
        #expect(udpLengths(try wireLengths(["--size", "1000", "--count", "60"], expect: 60, of: 1000, packets: 1)) == [60_000])
        #expect(udpLengths(try wireLengths(["--size", "1000", "--count", "60", "--no-gso"], expect: 60, of: 1000, packets: 60)) == Array(repeating: 1000, count: 60))
        // 1,473 bytes plus headers exceed the veth's 1,500-byte MTU: no grouping, two fragments each.
        let fragmented = try wireLengths(["--size", "1473", "--count", "5"], expect: 5, of: 1473, packets: 10)
        #expect(udpLengths(fragmented) == Array(repeating: 1473, count: 5), "\(fragmented)")
        #expect(fragmented.filter { $0.hasSuffix("ip-proto-17") }.count == 5, "\(fragmented)")
    }
}
