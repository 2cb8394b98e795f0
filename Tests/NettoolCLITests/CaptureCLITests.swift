import Capture
import Foundation
import PacketFixtures
import Packets
import Rendering
import Testing

private let ip = "/usr/sbin/ip"
private let macA = "02:00:5e:00:aa:01"
private let macB = "02:00:5e:00:bb:02"

/// Runs `program arguments` inside `namespace` and returns its result.
private func inNamespace(_ namespace: String, _ program: String, _ arguments: [String]) throws -> Run {
    try Run.program(ip, ["netns", "exec", namespace, program] + arguments)
}

private func temporaryPath(_ suffix: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("nettool-\(UUID())\(suffix)").path
}

@Suite("capture on a real wire: veth pair in test-owned namespaces", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "needs root (ip netns, veth, CAP_NET_RAW); run the suite as root to exercise it"))
struct CaptureWireTests {
    /// A capture in the left namespace, started and ready (it has said "capturing on").
    func startCapture(_ pair: VethPair, _ arguments: [String]) throws -> BackgroundProcess {
        let capture = try BackgroundProcess(ip, pair.nettool(in: pair.left, ["capture"] + arguments))
        #expect(capture.wait { $0.stderrText.contains("capturing on") }, "capture never became ready: \(capture.stderrText)")
        return capture
    }

    @Test("arping and ndisc6 traffic is decoded with the right addresses, MACs and flags")
    func arpAndNDPFromRealTools() throws {
        let pair = try VethPair(macs: (macA, macB))
        let capture = try startCapture(pair, ["-i", pair.leftDevice, "--json", "-c", "7"])
        let arping = try inNamespace(pair.left, try peer("arping", package: "arping"), ["-c", "2", "-w", "5", "-I", pair.leftDevice, "198.18.0.2"])
        #expect(arping.status == 0, "\(arping.stdout)\(arping.stderr)")
        let ndisc = try inNamespace(pair.left, try peer("ndisc6", package: "ndisc6"), ["-r", "1", "-w", "2000", "fd00:198:18::2", pair.leftDevice])
        #expect(ndisc.status == 0, "\(ndisc.stdout)\(ndisc.stderr)")
        _ = try inNamespace(pair.left, "/usr/bin/rdisc6", ["-1", "-r", "1", "-w", "100", pair.leftDevice])
        try #require(capture.waitForExit(upTo: 10), "capture did not stop after -c 7: \(capture.stderrText)")
        #expect(capture.status == 0)

        let objects = capture.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let packets = objects.filter { $0["protocol"] != nil }
        #expect(packets.count == 7)
        #expect(packets.allSatisfy { $0["interface"] as? String == pair.leftDevice && $0["malformed"] is NSNull })

        let requests = packets.filter { $0["op"] as? String == "request" }
        #expect(requests.count == 2)
        #expect(requests.allSatisfy {
            $0["sender_mac"] as? String == macA && $0["sender_ip"] as? String == "198.18.0.1" && $0["target_ip"] as? String == "198.18.0.2"
                && $0["gratuitous"] as? Bool == false && $0["probe"] as? Bool == false
        })
        let replies = packets.filter { $0["op"] as? String == "reply" }
        #expect(replies.count == 2)
        #expect(replies.allSatisfy {
            $0["sender_mac"] as? String == macB && $0["sender_ip"] as? String == "198.18.0.2"
                && $0["target_mac"] as? String == macA && $0["target_ip"] as? String == "198.18.0.1"
        })

        let ns = try #require(packets.first { $0["type"] as? String == "neighbor-solicitation" })
        #expect(ns["target"] as? String == "fd00:198:18::2")
        #expect(ns["src_mac"] as? String == macA)
        #expect(ns["dst_ip"] as? String == "ff02::1:ff00:2")
        #expect(ns["checksum"] as? String == "valid")
        #expect((ns["options"] as? [[String: Any]])?.first?["mac"] as? String == macA)

        let na = try #require(packets.first { $0["type"] as? String == "neighbor-advertisement" })
        #expect(na["target"] as? String == "fd00:198:18::2")
        #expect(na["src_mac"] as? String == macB)
        #expect((na["flags"] as? [String])?.contains("solicited") == true)
        #expect((na["options"] as? [[String: Any]])?.first?["mac"] as? String == macB)
        #expect(na["hop_limit"] as? Int == 255)

        #expect(packets.contains { $0["type"] as? String == "router-solicitation" })
        let summary = try #require(objects.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["packets"] as? Int == 7 && summary["arp"] as? Int == 4 && summary["ndp"] as? Int == 3)
        #expect(summary["dropped_by_kernel"] as? Int == 0)
    }

    @Test("a real ARP probe answered and a real IPv6 DAD conflict both raise 'duplicate address'")
    func duplicateAddressOnTheWire() throws {
        let pair = try VethPair(macs: (macA, macB))
        let capture = try startCapture(pair, ["-i", pair.leftDevice, "--alerts", "--json", "--duration", "6s"])
        // RFC 5227 probe (sender 0.0.0.0) for the right side's address: the right side answers.
        _ = try inNamespace(pair.left, try peer("arping", package: "arping"), ["-0", "-c", "1", "-w", "3", "-I", pair.leftDevice, "198.18.0.2"])
        // Claiming the right side's IPv6 address with DAD on: the kernel's DAD probe is answered.
        #expect(try Run.program(ip, ["-n", pair.left, "addr", "add", "fd00:198:18::2/64", "dev", pair.leftDevice]).status == 0)
        #expect(capture.waitForExit(upTo: 12))
        let alerts = capture.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["alert"] as? String == "duplicate-address" }
        #expect(alerts.contains { $0["ip"] as? String == "198.18.0.2" && $0["mac"] as? String == macB && $0["other_mac"] as? String == macA },
                "\(capture.stdoutText)")
        #expect(alerts.contains { $0["ip"] as? String == "fd00:198:18::2" && $0["mac"] as? String == macB && $0["other_mac"] as? String == macA },
                "\(capture.stdoutText)")
        let probe = capture.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { $0["probe"] as? Bool == true }
        #expect(probe?["sender_ip"] as? String == "0.0.0.0")
        #expect(capture.stdoutText.contains(#""dad":true"#))
    }

    @Test("-w writes a file tcpdump reads back, and -r reads it again")
    func writeThenTcpdumpReads() throws {
        let pair = try VethPair(macs: (macA, macB))
        let path = temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try startCapture(pair, ["-i", pair.leftDevice, "--arp", "-c", "4", "-w", path])
        _ = try inNamespace(pair.left, try peer("arping", package: "arping"), ["-c", "2", "-w", "5", "-I", pair.leftDevice, "198.18.0.2"])
        #expect(capture.waitForExit(upTo: 10))
        #expect(capture.stdoutText.isEmpty, "-w alone prints no packets")
        #expect(capture.stderrText.contains("4 packets seen, 4 decoded (4 ARP, 0 NDP)"))

        let tcpdump = try Run.program(try peer("tcpdump", package: "tcpdump"), ["-nn", "-r", path])
        #expect(tcpdump.status == 0, "\(tcpdump.stderr)")
        let lines = tcpdump.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.filter { $0.contains("ARP, Request who-has 198.18.0.2 tell 198.18.0.1") }.count == 2)
        #expect(lines.filter { $0.contains("ARP, Reply 198.18.0.2 is-at \(macB)") }.count == 2)

        let again = try Run.nettool(["capture", "-r", path])
        #expect(again.status == 0)
        #expect(again.stdout.split(separator: "\n").filter { $0.contains("ARP reply 198.18.0.2 is-at \(macB) (to 198.18.0.1 \(macA))") }.count == 2)
    }

    @Test("-i any names each packet's interface")
    func anyInterface() throws {
        let pair = try VethPair(macs: (macA, macB))
        let capture = try startCapture(pair, ["-i", "any", "--arp", "--json", "-c", "2"])
        _ = try inNamespace(pair.left, try peer("arping", package: "arping"), ["-c", "1", "-w", "5", "-I", pair.leftDevice, "198.18.0.2"])
        #expect(capture.waitForExit(upTo: 10))
        let packets = capture.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["protocol"] != nil }
        #expect(packets.count == 2)
        #expect(packets.allSatisfy { $0["interface"] as? String == pair.leftDevice })
        #expect(packets.map { $0["op"] as? String } .sorted { ($0 ?? "") < ($1 ?? "") } == ["reply", "request"])
    }

    @Test("SIGINT ends a live capture with its summary and status 0; --duration ends it by itself")
    func interruptAndDuration() throws {
        let pair = try VethPair(macs: (macA, macB))
        let capture = try startCapture(pair, ["-i", pair.leftDevice, "--table"])
        capture.signal(SIGINT)
        try #require(capture.waitForExit(upTo: 5), "still running after SIGINT")
        #expect(capture.status == 0)
        #expect(capture.stderrText.contains("0 packets seen, 0 decoded (0 ARP, 0 NDP), 0 malformed, 0 dropped by the kernel"))
        #expect(capture.stdoutText.contains("neighbour table: empty"))

        // SIGUSR1 prints the table and the capture goes on.
        let watching = try startCapture(pair, ["-i", pair.leftDevice, "--table", "--arp"])
        _ = try inNamespace(pair.left, try peer("arping", package: "arping"), ["-c", "1", "-w", "5", "-I", pair.leftDevice, "198.18.0.2"])
        #expect(watching.wait { $0.stdoutText.contains("is-at \(macB)") })
        watching.signal(SIGUSR1)
        #expect(watching.wait { $0.stdoutText.contains("198.18.0.2  \(macB)") }, "\(watching.stdoutText)")
        #expect(watching.isRunning)
        watching.signal(SIGINT)
        #expect(watching.waitForExit(upTo: 5))

        let started = Date()
        let timed = try Run.program(ip, pair.nettool(in: pair.left, ["capture", "-i", pair.leftDevice, "--duration", "1s"]))
        #expect(timed.status == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(timed.stderr.contains("0 packets seen"))
    }

    @Test("an interface that is down is refused; one that vanishes mid-capture ends it with a sentence and the summary")
    func interfaceDownAndVanishing() throws {
        let pair = try VethPair(macs: (macA, macB))
        #expect(try Run.program(ip, ["-n", pair.left, "link", "set", pair.leftDevice, "down"]).status == 0)
        let down = try Run.program(ip, pair.nettool(in: pair.left, ["capture", "-i", pair.leftDevice, "-c", "1"]))
        #expect(down.status == 1)
        #expect(down.stderr.contains("interface \(pair.leftDevice) is down; bring it up first (ip link set \(pair.leftDevice) up)"))

        #expect(try Run.program(ip, ["-n", pair.left, "link", "set", pair.leftDevice, "up"]).status == 0)
        let capture = try startCapture(pair, ["-i", pair.leftDevice])
        #expect(try Run.program(ip, ["-n", pair.left, "link", "del", pair.leftDevice]).status == 0)
        try #require(capture.waitForExit(upTo: 5), "capture still running after its interface was deleted")
        #expect(capture.status == 1)
        #expect(capture.stderrText.contains("capture on \(pair.leftDevice) ended: "))
        #expect(capture.stderrText.contains("packets seen"))
    }

    @Test("without CAP_NET_RAW the capture says what it needs and exits 1")
    func permissionDenied() throws {
        let run = try Run.program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                                                       Run.binary, "capture", "-i", "lo", "-c", "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("capturing on lo needs root or CAP_NET_RAW (try: sudo setcap cap_net_raw,cap_net_admin=eip $(which nettool))"))
    }

    @Test("tcpdump agrees with the test fixtures' ICMPv6 checksums")
    func fixturesHaveRealChecksums() throws {
        let path = temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapHandle.dead(linkType: .ethernet).writer(path: path)
        writer.write(Frames.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: Frames.routerAdvertisement(options: Frames.slla(Frames.macA))),
                     time: Timestamp(seconds: 0, microseconds: 0))
        writer.write(Frames.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + Frames.ipv6("2001:2::5")),
                     time: Timestamp(seconds: 0, microseconds: 1))
        writer.close()
        let tcpdump = try Run.program(try peer("tcpdump", package: "tcpdump"), ["-nn", "-vvv", "-r", path])
        #expect(tcpdump.stdout.components(separatedBy: "[icmp6 sum ok]").count == 3, "\(tcpdump.stdout)")
    }
}

@Suite("capture: files, alerts and errors", .serialized, .timeLimit(.minutes(1)))
struct CaptureFileTests {
    typealias F = Frames

    /// A pcap of `frames`, one second apart; `cut` trims frame N to that many bytes as a short snapshot length would.
    func writeFile(_ frames: [[UInt8]], linkType: LinkType = .ethernet, cut: [Int: Int] = [:]) throws -> String {
        let path = temporaryPath(".pcap")
        let writer = try PcapHandle.dead(linkType: linkType).writer(path: path)
        for (index, frame) in frames.enumerated() {
            writer.write(Array(frame.prefix(cut[index] ?? frame.count)), time: Timestamp(seconds: 1_795_000_000 + index, microseconds: 0),
                         originalLength: frame.count)
        }
        writer.close()
        return path
    }

    @Test("without libpcap on the host, capture says how to install it and every other command runs",
          .enabled(if: getuid() == 0, "needs root (unshare -m, mount --bind); run the suite as root to exercise it"))
    func withoutLibpcap() throws {
        let path = try writeFile([F.ethernet(dst: F.macB, src: F.macA, type: 0x0806,
                                             F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2"))])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let library = try #require(["/usr/lib/x86_64-linux-gnu/libpcap.so.0.8", "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"]
            .first { FileManager.default.fileExists(atPath: $0) }, "libpcap.so.0.8 not found")
        // In a mount namespace of its own, libpcap is an empty file: dlopen fails as if it were not installed.
        let script = "mount --bind /dev/null \(library) && \"$0\" capture -r \"$1\"; echo \"capture exit $?\"; \"$0\" ip-classify 198.18.0.1"
        let run = try Run.program("/usr/bin/unshare", ["-m", "sh", "-c", script, Run.binary, path])
        #expect(run.stderr.contains("libpcap could not be loaded") && run.stderr.contains("apt-get install libpcap0.8"), "\(run.stderr)")
        #expect(run.stdout.contains("capture exit 1") && run.stdout.contains("198.18.0.1\n  version   IPv4"), "\(run.stdout)")
        let normal = try Run.nettool(["capture", "-r", path])
        #expect(normal.status == 0 && normal.stdout.contains("ARP request who-has 198.18.0.2"), "\(normal.stderr)")
    }

    @Test("--table-limit: past it the oldest address goes, one table-full alert, evictions in the summary; 0 is refused")
    func tableLimit() throws {
        let path = try writeFile((1...5).map { host in
            let mac: [UInt8] = [0x02, 0, 0x5e, 0, 0, UInt8(host)]
            return F.ethernet(dst: F.macB, src: mac, type: 0x0806, F.arp(op: 2, sha: mac, spa: "198.18.0.\(host)", tha: F.macB, tpa: "198.18.0.9"))
        })
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try Run.nettool(["capture", "-r", path, "--alerts", "--table-limit", "3", "--json", "-q"])
        #expect(json.status == 0, "\(json.stderr)")
        let full = json.jsonLines.filter { $0["alert"] as? String == "table-full" }
        #expect(full.count == 1, "\(json.stdout)")
        let summary = try #require(json.jsonLines.last)
        #expect(summary["table_entries"] as? Int == 3 && summary["table_evicted"] as? Int == 2, "\(summary)")
        let text = try Run.nettool(["capture", "-r", path, "--alerts", "--table", "-q", "--table-limit", "3"])
        #expect(text.stderr.contains("neighbour table full at 3 addresses") && text.stderr.contains("2 evicted (--table-limit)"), "\(text.stderr)")
        #expect(!text.stdout.contains("198.18.0.1 ") && text.stdout.contains("198.18.0.5 "), "\(text.stdout)")
        let zero = try Run.nettool(["capture", "-r", path, "--table-limit", "0"])
        #expect(zero.status == 2 && zero.stderr.contains("--table-limit must be 1 or more"))
    }

    @Test("the same address from two MACs raises 'changed MAC', on stderr and in JSON")
    func changedMACAlarm() throws {
        let path = try writeFile([
            F.ethernet(dst: F.macB, src: F.macA, type: 0x0806, F.arp(op: 2, sha: F.macA, spa: "198.18.0.7", tha: F.macB, tpa: "198.18.0.2")),
            F.ethernet(dst: F.macB, src: [0, 0, 0x0c, 1, 2, 3], type: 0x0806, F.arp(op: 2, sha: [0, 0, 0x0c, 1, 2, 3], spa: "198.18.0.7", tha: F.macB, tpa: "198.18.0.2")),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }

        let text = try Run.nettool(["capture", "-r", path, "--alerts", "--table"])
        #expect(text.status == 0)
        #expect(text.stderr.contains("changed MAC: 198.18.0.7 moved from 02:00:5e:00:00:01 to 00:00:0c:01:02:03"))
        #expect(text.stdout.contains("ADDRESS"))
        #expect(text.stdout.contains("198.18.0.7  00:00:0c:01:02:03"))

        let json = try Run.nettool(["capture", "-r", path, "--alerts", "--table", "--json"])
        let alert = try #require(json.jsonLines.first { $0["alert"] as? String == "changed-mac" })
        #expect(alert["ip"] as? String == "198.18.0.7")
        #expect(alert["mac"] as? String == "00:00:0c:01:02:03")
        #expect(alert["other_mac"] as? String == "02:00:5e:00:00:01")
        #expect(json.jsonLines.contains { $0["event"] as? String == "neighbor" && $0["ip"] as? String == "198.18.0.7" })
        #expect(json.stderr.isEmpty, "with --json alerts go to the JSON stream: \(json.stderr)")
    }

    @Test("a file decoded on every core prints exactly what one thread decoding in order prints, --count included",
          arguments: [["--json"], ["-v"], ["--json", "--count", "2500"]])
    func parallelDecodingKeepsOrder(_ options: [String]) throws {
        let frames: [[UInt8]] = [
            F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2")),
            F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: F.routerAdvertisement(options: F.slla(F.macA) + F.prefix("2001:2::", length: 64))),
            F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + F.ipv6("2001:2::5") + [1, 0, 0, 0, 0, 0, 0, 0]),
            F.ethernet(type: 0x0806, vlans: [100], F.arp(op: 2, sha: F.macB, spa: "198.18.0.2", tha: F.macA, tpa: "198.18.0.1")),
        ]
        // Several rounds of ParallelDecoder.batchSize per lane (2 lanes a core), ending inside a batch; each frame
        // numbered by its timestamp, so a reordered line cannot go unnoticed.
        let count = 3 * 8 * 1024 + 517
        let path = temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapHandle.dead(linkType: .ethernet).writer(path: path)
        var expected = JSONLine()
        var processor = FrameProcessor(linkType: .ethernet, format: options.contains("--json") ? .json : .text(verbose: true), learns: false)
        let limit = options.contains("--count") ? 2500 : count
        for index in 0..<count {
            let time = Timestamp(seconds: 1_795_000_000 + index / 1000, microseconds: index % 1000)
            writer.write(frames[index % frames.count], time: time)
            if index < limit { _ = processor.process(frames[index % frames.count], time: time, to: &expected) }
        }
        writer.close()
        let run = try Run.nettool(["capture", "-r", path] + options)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let packetLines = options.contains("--json") ? lines.dropLast(2).joined(separator: "\n") + "\n" : run.stdout
        #expect(packetLines == String(decoding: expected.bytes, as: UTF8.self))
        #expect(run.stdout.contains("\"packets\":\(limit),") || run.stderr.contains("\(grouped(limit)) packets seen"), "\(run.stderr)")
    }

    @Test("a file cut inside a packet: the packets before it are printed in order on every core, then the error, exit 1")
    func truncatedFileOnEveryCore() throws {
        let arp = F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2"))
        let path = try writeFile(Array(repeating: arp, count: 5000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count - 20).write(to: URL(fileURLWithPath: path))
        let parallel = try Run.nettool(["capture", "-r", path])
        // --alerts learns across packets, so it decodes on one thread: the reference.
        let single = try Run.nettool(["capture", "-r", path, "--alerts"])
        #expect(parallel.status == 1 && parallel.stderr.contains("truncated dump file"), "\(parallel.stderr)")
        #expect(parallel.stderr.contains("4,999 packets seen"), "\(parallel.stderr)")
        #expect(parallel.stdout == single.stdout && parallel.stdout.split(separator: "\n").count == 4999)
    }

    @Test("malformed packets are counted and shown with their reason")
    func malformedIsShown() throws {
        let zeroLength = F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + F.ipv6("2001:2::5") + [1, 0, 0, 0, 0, 0, 0, 0])
        let path = try writeFile([zeroLength, zeroLength], cut: [1: 66])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Run.nettool(["capture", "-r", path])
        #expect(run.status == 0)
        #expect(run.stdout.contains("[malformed: option type 1 at byte 24 of the ICMPv6 message has length 0]"))
        #expect(run.stdout.contains("[malformed: truncated at NS target: needs 16 bytes, 4 left (captured 66 of 86 bytes; raise --snaplen)]"))
        #expect(run.stderr.contains("2 packets seen, 2 decoded (0 ARP, 2 NDP), 2 malformed"))
    }

    @Test("-v shows every field and option under the packet's line")
    func verboseDetails() throws {
        let ra = F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: F.routerAdvertisement(
            flags: 0xc0, options: F.slla(F.macA) + F.prefix("2001:2::", length: 64) + F.option(5, [0, 0] + F.be32(1500))
                + F.option(38, F.be16((600 / 8) << 3 | 1) + Array(F.ipv6("64:ff9b::").prefix(12))) + F.option(14, [1, 2, 3, 4, 5, 6])))
        let inner = [0x60, 0, 0, 0] + F.be16(20) + [6, 64] + F.ipv6("2001:2::10") + F.ipv6("2001:2:9::1") + F.be16(49152) + F.be16(443) + [0, 0, 0, 0]
        let redirect = F.ndpFrame(src: "fe80::1", dst: "2001:2::10", type: 137,
                                  body: [0, 0, 0, 0] + F.ipv6("fe80::fe") + F.ipv6("2001:2:9::1") + F.option(4, [0, 0, 0, 0, 0, 0] + inner))
        let path = try writeFile([ra, redirect])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Run.nettool(["capture", "-r", path, "-v"])
        #expect(run.status == 0)
        for expected in [
            "NDP RA from fe80::1 (02:00:5e:00:00:01) to ff02::1, lifetime 1800s, hop limit 64, prf medium [M O], prefix 2001:2::/64 [L A], mtu 1500, pref64 64:ff9b::/64",
            "  icmp6 type 134 (router-advertisement) code 0 checksum 0x",
            "  option prefix-information (3): 2001:2::/64, flags [on-link autonomous], valid 2592000s, preferred 604800s",
            "  option pref64 (38): 64:ff9b::/64, lifetime 600s",
            "  option nonce (14): 0x010203040506",
            "NDP Redirect to fe80::fe for 2001:2:9::1 from fe80::1 to 2001:2::10",
            "  option redirected-header (4): 48 bytes of the original packet: 2001:2::10 > 2001:2:9::1, next header 6, ports 49152 > 443",
        ] {
            #expect(run.stdout.contains(expected), "missing: \(expected)\n\(run.stdout)")
        }
        #expect(try Run.nettool(["capture", "-r", path, "--snaplen", "0"]).status == 2)
    }

    @Test("an unsupported link type is reported once, not per packet")
    func unsupportedLinkType() throws {
        // DLT_USER0 (147): private to whoever made the file, nothing a decoder can know.
        let path = try writeFile([[0x45, 0, 0, 20], [0x45, 0, 0, 20], [0x45, 0, 0, 20]], linkType: LinkType(dlt: 147))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Run.nettool(["capture", "-r", path])
        #expect(run.status == 0)
        #expect(run.stderr.components(separatedBy: "is not supported").count == 2)
        #expect(run.stderr.contains("3 packets seen, 0 decoded"))
    }

    @Test("errors: unknown interface, bad filter, unreadable file, usage")
    func errors() throws {
        let unknown = try Run.nettool(["capture", "-i", "eth9"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no such interface: eth9; interfaces here: "))
        #expect(unknown.stderr.contains("lo"))

        let path = try writeFile([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let badFilter = try Run.nettool(["capture", "-r", path, "--filter", "port port"])
        #expect(badFilter.status == 1)
        #expect(badFilter.stderr.contains("bad filter expression 'port port': can't parse filter expression: syntax error"))

        let missing = try Run.nettool(["capture", "-r", "/nonexistent.pcap"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read capture file /nonexistent.pcap"))

        #expect(try Run.nettool(["capture", "--filter", "arp", "-r", path, "arp"]).status == 2, "the filter given twice")
        #expect(try Run.nettool(["capture", "-r", path, "-i", "lo"]).status == 2)
        #expect(try Run.nettool(["capture", "-r", path, "--router", "nonsense"]).status == 2)
    }

    @Test("--list-interfaces shows loopback with its flags and addresses")
    func listInterfaces() throws {
        let run = try Run.nettool(["capture", "--list-interfaces"])
        #expect(run.status == 0)
        let loopback = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("lo ") })
        #expect(loopback.contains("loopback") && loopback.contains("127.0.0.1"))
        let json = try Run.nettool(["capture", "--list-interfaces", "--json"])
        #expect(json.jsonLines.contains { $0["name"] as? String == "lo" && $0["loopback"] as? Bool == true })
    }
}
