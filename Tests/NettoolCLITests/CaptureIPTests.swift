import Foundation
import Testing

/// Traffic made on loopback by real peers (curl and python's http.server, a UDP datagram to a
/// closed port), written by tcpdump, then decoded by nettool and by tshark: field for field.
@Suite("capture decodes IP, TCP, UDP and ICMP as tshark does", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "capturing on lo needs root / CAP_NET_RAW; run the suite as root to exercise it"))
struct CaptureIPTests {
    /// A capture of one HTTP download of `size` bytes, a UDP datagram to a closed port and its
    /// ICMP port unreachable; the file is removed by the caller.
    private func makeCapture(size: Int) throws -> (path: String, folder: String, closedPort: Int) {
        let folder = NSTemporaryDirectory() + "nettool-ipcap-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: folder + "/file.bin"))
        let server = try BackgroundProcess("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "0"], directory: folder)
        defer { server.signal(SIGTERM) }
        var port = 0
        server.wait(upTo: 10) { process in
            guard let range = process.stdoutText.range(of: "port ") ?? process.stderrText.range(of: "port ") else { return false }
            let text = process.stdoutText.contains("port ") ? process.stdoutText : process.stderrText
            port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            return port > 0
        }
        try #require(port > 0, "python http.server did not start: \(server.stderrText)")
        let path = folder + "/traffic.pcap"
        // A closed port of this test's own: other suites send to port 9 and make ICMP of their own on lo.
        let closedPort = freeUDPPort()
        let sniffer = try BackgroundProcess(try peer("tcpdump", package: "tcpdump"),
                                            ["-i", "lo", "--immediate-mode", "-U", "-w", path, "tcp port \(port) or udp port \(closedPort) or (icmp and icmp[30:2] = \(closedPort))"])
        defer { sniffer.signal(SIGKILL) }
        #expect(sniffer.wait(upTo: 5) { $0.stderrText.contains("listening on") }, "\(sniffer.stderrText)")
        let curl = try Run.program(try peer("curl", package: "curl"), ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/file.bin"])
        #expect(curl.status == 0, "\(curl.stderr)")
        _ = try Run.nettool(["udp-send", "127.0.0.1", String(closedPort), "hello"])
        usleep(300_000)
        sniffer.signal(SIGINT)
        _ = sniffer.waitForExit()
        return (path, folder, closedPort)
    }

    private func tsharkFields(_ path: String, _ fields: [String]) throws -> [[String]] {
        let run = try Run.program(try peer("tshark", package: "tshark"),
                                  ["-r", path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"] + fields.flatMap { ["-e", $0] })
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test("addresses, ports, relative seq/ack, flags, window, payload length, UDP length, ICMP type/code: every packet agrees")
    func fieldForField() throws {
        let (path, folder, closedPort) = try makeCapture(size: 300_000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ours = try Run.nettool(["capture", "-r", path, "--ip", "--json"])
        #expect(ours.status == 0, "\(ours.stderr)")
        let packets = ours.jsonLines.filter { $0["event"] as? String == "packet" }
        let theirs = try tsharkFields(path, ["ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.ack", "tcp.flags",
                                             "tcp.window_size_value", "tcp.len", "udp.length", "icmp.type", "icmp.code",
                                             "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.timestamp.tsval"])
        try #require(packets.count == theirs.count && packets.count > 20, "nettool \(packets.count) packets, tshark \(theirs.count)")
        var tcp = 0, udp = 0, icmp = 0
        for (index, (mine, row)) in zip(packets, theirs).enumerated() {
            let context = "packet \(index + 1): \(mine) vs \(row)"
            #expect(mine["src_ip"] as? String == row[0] && mine["dst_ip"] as? String == row[1], "\(context)")
            switch mine["protocol"] as? String {
            case "tcp":
                tcp += 1
                let flags = Int(row[6].dropFirst(2), radix: 16) ?? -1
                let names = [(0x02, "SYN"), (0x01, "FIN"), (0x08, "PSH"), (0x04, "RST"), (0x10, "ACK")].filter { flags & $0.0 != 0 }
                #expect(Set(mine["flags"] as? [String] ?? []) == Set(names.map(\.1)), "\(context)")
                #expect(mine["src_port"] as? Int == Int(row[2]) && mine["dst_port"] as? Int == Int(row[3]), "\(context)")
                #expect(mine["seq"] as? Int == Int(row[4]), "\(context)")
                if flags & 0x10 != 0 { #expect(mine["ack"] as? Int == Int(row[5]), "\(context)") }
                #expect(mine["window"] as? Int == Int(row[7]) && mine["payload_length"] as? Int == Int(row[8]), "\(context)")
                let options = mine["options"] as? [[String: Any]] ?? []
                if let mss = Int(row[12]) { #expect(options.contains { $0["kind"] as? String == "mss" && $0["value"] as? Int == mss }, "\(context)") }
                if let shift = Int(row[13]) { #expect(options.contains { $0["kind"] as? String == "wscale" && $0["value"] as? Int == shift }, "\(context)") }
                if let tsval = Int(row[14]) { #expect(options.contains { $0["kind"] as? String == "TS" && $0["value"] as? Int == tsval }, "\(context)") }
            case "udp":
                udp += 1
                #expect(mine["udp_length"] as? Int == Int(row[9]), "\(context)")
            case "icmp":
                icmp += 1
                #expect(mine["type_number"] as? Int == Int(row[10]) && mine["code_number"] as? Int == Int(row[11]), "\(context)")
                #expect(mine["type"] as? String == "destination-unreachable" && mine["code"] as? String == "port-unreachable", "\(context)")
                let quoted = mine["quoted"] as? [String: Any]
                #expect(quoted?["dst_port"] as? Int == closedPort && quoted?["protocol"] as? String == "udp", "\(context)")
            default:
                Issue.record("unexpected protocol: \(context)")
            }
        }
        #expect(tcp > 20 && udp == 1 && icmp == 1, "tcp \(tcp), udp \(udp), icmp \(icmp)")
    }

    @Test("the text line has tcpdump's shape: the same flags, relative numbers, window, options and length")
    func tcpdumpShape() throws {
        let (path, folder, _) = try makeCapture(size: 20_000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ours = try Run.nettool(["capture", "-r", path, "--tcp"])
        let tcpdump = try Run.program(try peer("tcpdump", package: "tcpdump"), ["-nn", "-r", path, "tcp"])
        let mine = ours.stdout.split(separator: "\n").map { String($0.drop { $0 != " " }.dropFirst()) }
        let theirs = tcpdump.stdout.split(separator: "\n").map { String($0.drop { $0 != " " }.dropFirst()) }
        try #require(mine.count == theirs.count && mine.count > 5, "\(ours.stdout)\n---\n\(tcpdump.stdout)")
        for (a, b) in zip(mine, theirs) {
            // tcpdump puts "IP " then the same text; nettool adds the interface only for live captures.
            #expect(a == b, "nettool: \(a)\ntcpdump: \(b)")
        }
    }

    @Test("--ladder draws the handshake and the close with each side's states; --conversations sums the connection up")
    func ladderAndConversations() throws {
        let (path, folder, _) = try makeCapture(size: 5_000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ladder = try Run.nettool(["capture", "-r", path, "--ladder", "--conversations", "tcp"])
        #expect(ladder.status == 0, "\(ladder.stderr)")
        let text = ladder.stdout
        for expected in ["handshake 1/3, SYN", "handshake 2/3, SYN-ACK", "handshake 3/3, ACK", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
                         "FIN_WAIT_1", "TIME_WAIT", "close 1/4, FIN", "── SYN seq 0 ─", "◀─ SYN, ACK seq 0 ack 1 ─",
                         "TCP conversations: 1", "closed FIN/FIN"] {
            #expect(text.contains(expected), "missing \(expected):\n\(text)")
        }
        let json = try Run.nettool(["capture", "-r", path, "--ladder", "--conversations", "--json", "tcp"])
        let rows = json.jsonLines.filter { $0["event"] as? String == "ladder" }
        #expect(rows.first?["client_state"] as? String == "SYN_SENT" && rows.first?["label"] as? String == "SYN seq 0", "\(json.stdout)")
        let conversation = try #require(json.jsonLines.first { $0["event"] as? String == "conversation" })
        #expect(conversation["ending"] as? String == "fin" && (conversation["bytes_to_client"] as? Int ?? 0) > 5_000, "\(conversation)")
        #expect(conversation["client_state"] as? String == "TIME_WAIT" || conversation["server_state"] as? String == "TIME_WAIT")
    }

    @Test("the TCP table holds at most --table-limit connections: one alert when it fills, the evictions in the summary")
    func tcpTableLimit() throws {
        let folder = NSTemporaryDirectory() + "nettool-tcplimit-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/many.pcap"
        // 1,000 segments of 500 connections (the generator interleaves 500 at a time) through a table of 100.
        let generator = folder + "/gen_tcp"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let cc = try Run.program("/usr/bin/cc", ["-O1", "-o", generator, root + "/Benchmarks/support/gen_tcp.c", "-lpcap"])
        try #require(cc.status == 0, "\(cc.stderr)")
        _ = try Run.program(generator, ["1000", path])
        let run = try Run.nettool(["capture", "-r", path, "--tcp", "--conversations", "--quiet", "--table-limit", "100", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let alerts = run.jsonLines.filter { $0["event"] as? String == "alert" && $0["alert"] as? String == "tcp-table-full" }
        #expect(alerts.count == 1, "\(run.stdout)")
        let summary = try #require(run.jsonLines.last { $0["event"] as? String == "summary" })
        #expect((summary["tcp_evicted"] as? Int ?? 0) >= 400 && (summary["tcp_connections"] as? Int ?? 0) <= 200, "\(summary)")
    }
}

/// A path that drops a tenth of the TCP segments (nftables in a test-owned namespace), a
/// transfer across it captured by tcpdump, and the retransmissions and duplicate ACKs that
/// follow, marked by nettool and by tshark on the same file.
@Suite("capture's TCP analysis agrees with tshark's on a lossy path", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: getuid() == 0, "namespaces and nftables need root; run the suite as root to exercise it"))
struct CaptureLossAnalysisTests {
    static let marks = ["retransmission", "fast_retransmission", "spurious_retransmission", "duplicate_ack", "out_of_order",
                        "lost_segment", "ack_lost_segment", "zero_window", "window_update", "window_full", "keep_alive"]

    @Test("per packet, each analysis mark agrees with tshark's tcp.analysis fields")
    func marksAgree() throws {
        let pair = try VethPair()
        let ip = "/usr/sbin/ip"
        // Real segment sizes (no TSO/GSO super-segments), then 10% of the receiver's input dropped.
        for (namespace, device) in [(pair.left, pair.leftDevice), (pair.right, pair.rightDevice)] {
            _ = try Run.program(ip, ["netns", "exec", namespace, try peer("ethtool", package: "ethtool"), "-K", device,
                                     "tso", "off", "gso", "off", "gro", "off"])
        }
        let nft = try peer("nft", package: "nftables")
        for command in ["add table inet loss", "add chain inet loss input { type filter hook input priority 0; }",
                        "add rule inet loss input meta l4proto tcp numgen random mod 100 < 10 drop"] {
            let run = try Run.program(ip, ["netns", "exec", pair.right, nft] + command.split(separator: " ").map(String.init))
            try #require(run.status == 0, "nft \(command): \(run.stderr)")
        }
        let server = try BackgroundProcess(ip, pair.nettool(in: pair.right, ["tcp-echo-server", "--bind", "198.18.0.2", "--port", "7000"]))
        defer { server.signal(SIGKILL) }
        #expect(server.wait(upTo: 10) { $0.stderrText.contains("listening on") }, "\(server.stderrText)")
        let path = NSTemporaryDirectory() + "nettool-loss-\(getpid())-\(UUID().uuidString.prefix(8)).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sniffer = try BackgroundProcess(ip, ["netns", "exec", pair.left, try peer("tcpdump", package: "tcpdump"), "-i", pair.leftDevice,
                                                 "--immediate-mode", "-U", "-w", path, "tcp port 7000"])
        defer { sniffer.signal(SIGKILL) }
        #expect(sniffer.wait(upTo: 5) { $0.stderrText.contains("listening on") }, "\(sniffer.stderrText)")
        let load = try Run.program(ip, pair.nettool(in: pair.left, ["tcp-echo-client", "198.18.0.2", "7000", "--bench", "--connections", "2",
                                                                     "--size", "32768", "--messages", "24", "--timeout", "60s"]))
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        usleep(300_000)
        sniffer.signal(SIGINT)
        _ = sniffer.waitForExit()

        let ours = try Run.nettool(["capture", "-r", path, "--tcp", "--json"]).jsonLines.filter { $0["event"] as? String == "packet" }
        let fields = Self.marks.flatMap { ["-e", "tcp.analysis.\($0)"] }
        let tshark = try Run.program(try peer("tshark", package: "tshark"), ["-r", path, "-T", "fields", "-E", "separator=|"] + fields)
        let theirs = tshark.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map { !$0.isEmpty } }
        try #require(ours.count == theirs.count && ours.count > 100, "nettool \(ours.count) packets, tshark \(theirs.count)")
        var agreement: [String] = []
        for (column, mark) in Self.marks.enumerated() {
            let mine = ours.map { ($0["analysis"] as? [String] ?? []).contains(mark) }
            let reference = theirs.map { column < $0.count && $0[column] }
            let both = zip(mine, reference).filter { $0 && $1 }.count
            let (nettoolCount, tsharkCount) = (mine.filter { $0 }.count, reference.filter { $0 }.count)
            agreement.append("\(mark): nettool \(nettoolCount), tshark \(tsharkCount), both \(both)")
            // Within a few percent, and never one side marking packets the other does not see at all.
            let tolerance = max(2, tsharkCount / 20)
            #expect(abs(nettoolCount - tsharkCount) <= tolerance && both >= min(nettoolCount, tsharkCount) - tolerance,
                    "\(mark): nettool \(nettoolCount), tshark \(tsharkCount), both \(both)")
        }
        let retransmitted = theirs.filter { $0[0] }.count
        #expect(retransmitted > 0, "the lossy path caused no retransmission: \(agreement)")
        print("analysis agreement with tshark over \(ours.count) segments: " + agreement.joined(separator: "; "))
    }
}
