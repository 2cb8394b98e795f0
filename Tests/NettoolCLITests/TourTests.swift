import Foundation
import Testing

private func steps(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}


private func tourNamespaces() throws -> [String] {
    try Run.program("/usr/sbin/ip", ["netns", "list"]).stdout.split(separator: "\n").map(String.init)
        .filter { $0.hasPrefix("nettool-tour-") || $0.hasPrefix("nettool-loss-") }
}

@Suite("nettool tour", .serialized, .timeLimit(.minutes(5)))
struct TourTests {
    @Test func listNamesEveryLessonInOrder() throws {
        let run = try Run.nettool(["tour", "--list"])
        #expect(run.status == 0)
        let names = run.stdout.split(separator: "\n").map { $0.split(separator: " ")[1] }
        #expect(names == ["addresses", "ports", "udp", "tcp", "handshake", "stream", "close", "timewait", "dualstack", "loss", "tls", "files", "wire"])
        #expect(try Run.nettool(["tour", "nonsense"]).status == 2)
    }

    @Test("--pause waits for Enter after each step")
    func pauseWaitsForEnter() throws {
        let run = try Run.nettool(["tour", "addresses", "--pause"], stdin: "\n")
        #expect(run.status == 0)
        #expect(run.stdout.contains("(Enter to go on)"))
        #expect(run.stdout.contains("Tour finished: 1 step, each as expected."))
    }

    @Test("the whole tour, every step as expected, and nothing left behind",
          .enabled(if: getuid() == 0, "needs root for the live wire lesson (ip netns, CAP_NET_RAW); run the suite as root"))
    func wholeTour() throws {
        let run = try Run.nettool(["tour", "--json"])
        let objects = steps(run.stdout)
        let lessonSteps = objects.filter { $0["lesson"] != nil }
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Set(lessonSteps.compactMap { $0["lesson"] as? String })
                == ["addresses", "ports", "udp", "tcp", "handshake", "stream", "close", "timewait", "dualstack", "loss", "tls", "files", "wire"])
        for step in lessonSteps where step["ok"] as? Bool != true {
            Issue.record("step failed: \(step)")
        }
        let summary = try #require(objects.last)
        #expect(summary["event"] as? String == "summary" && summary["failed"] as? Int == 0 && summary["lessons"] as? Int == 13)
        #expect(summary["steps"] as? Int == lessonSteps.count)

        // The wire lesson saw the real exchange.
        let wire = try #require(lessonSteps.first { $0["lesson"] as? String == "wire" && $0["step"] as? Int == 2 })
        let output = (wire["output"] as? [String] ?? []).joined(separator: "\n")
        #expect(output.contains("ARP request who-has 198.18.0.2 tell 198.18.0.1"))
        #expect(output.contains("NDP NA fd00:198:18::2 is-at 02:00:5e:00:bb:02"))

        // Nothing left: the files lesson's folder, the servers' ports, the namespaces.
        let files = try #require(lessonSteps.first { $0["lesson"] as? String == "files" && $0["step"] as? Int == 1 })
        let folder = try #require((files["facts"] as? [String: String])?["folder"])
        #expect(!FileManager.default.fileExists(atPath: folder))
        for step in lessonSteps {
            if let port = (step["facts"] as? [String: String])?["port"].flatMap(Int.init), step["lesson"] as? String != "udp" {
                #expect(!canConnect(port: port), "port \(port) from \(step["lesson"] ?? "") is still open")
            }
        }
        #expect(try tourNamespaces().isEmpty)
    }

    @Test("the lessons where learners get stuck show what they teach, from real runs")
    func stuckLessons() throws {
        let run = try Run.nettool(["tour", "stream", "close", "timewait", "dualstack", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lessonSteps = steps(run.stdout).filter { $0["lesson"] != nil }
        func output(_ lesson: String, _ number: Int) -> String {
            let step = lessonSteps.first { $0["lesson"] as? String == lesson && $0["step"] as? Int == number }
            return (step?["output"] as? [String] ?? []).joined(separator: "\n")
        }
        for step in lessonSteps where step["ok"] as? Bool != true { Issue.record("step failed: \(step)") }
        #expect(lessonSteps.count == 13)
        // Reads of at most 64 bytes split the 100-byte messages; --line sends them whole.
        #expect(output("stream", 3).contains("recv() → 64 bytes") && !output("stream", 3).contains("send(100 bytes)"))
        #expect(output("stream", 4).components(separatedBy: "send(100 bytes)").count == 4, "\(output("stream", 4))")
        // On the wire: the 300 bytes in one or more segments, and the reset's RST from the client.
        func facts(_ lesson: String, _ number: Int) -> [String: String] {
            lessonSteps.first { $0["lesson"] as? String == lesson && $0["step"] as? Int == number }?["facts"] as? [String: String] ?? [:]
        }
        let lengths = (facts("stream", 2)["payload_lengths"] ?? "").split(separator: ",").compactMap { Int($0) }
        #expect(lengths.reduce(0, +) == 300 && facts("stream", 2)["segments"] == String(lengths.count), "\(facts("stream", 2))")
        #expect(Int(facts("close", 3)["resets"] ?? "") ?? 0 >= 1 && output("close", 3).contains("[RST"), "\(output("close", 3))")
        #expect(output("close", 1).contains("closed by peer") && output("close", 2).contains("connection reset by peer"))
        #expect(output("timewait", 1).contains("idle timeout") && output("timewait", 3).contains("EADDRINUSE"))
        #expect(output("dualstack", 1).contains("connection refused: nothing listens on [::1]:"))
        #expect(output("dualstack", 2).contains("setsockopt(IPV6_V6ONLY, 0)") && output("dualstack", 2).contains("[::1]:"))
    }

    @Test("the loss lesson: about 80% of the datagrams, every TCP byte, retransmissions counted, nothing left behind",
          .enabled(if: getuid() == 0, "needs root (ip netns, nft); run the suite as root to exercise it"))
    func lossLesson() throws {
        let run = try Run.nettool(["tour", "loss", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lessonSteps = steps(run.stdout).filter { $0["lesson"] as? String == "loss" }
        #expect(lessonSteps.count == 4 && lessonSteps.allSatisfy { $0["ok"] as? Bool == true }, "\(run.stdout)")
        let outputs = lessonSteps.map { ($0["output"] as? [String] ?? []).joined(separator: "\n") }
        #expect(outputs.count == 4 && outputs[1].contains("numbered: ") && outputs[1].contains("missing"))
        #expect(outputs.count == 4 && outputs[2].contains("every byte verified") && outputs[2].contains("TcpRetransSegs on 198.18.0.1: +"))
        // The capture in the left namespace marked retransmitted segments from the sender.
        let facts = lessonSteps.count == 4 ? lessonSteps[2]["facts"] as? [String: String] ?? [:] : [:]
        #expect(Int(facts["retransmissions_marked"] ?? "") ?? 0 > 0 && Int(facts["retransmitted_kernel"] ?? "") ?? 0 > 0, "\(facts)")
        #expect(outputs.count == 4 && outputs[3].contains("a firewall rule on this host refused it"))
        #expect(try tourNamespaces().isEmpty)
    }

    @Test("SIGINT in the loss lesson removes its namespaces (and their nftables rules)",
          .enabled(if: getuid() == 0, "needs root (ip netns, nft); run the suite as root to exercise it"))
    func interruptedLossLesson() throws {
        let tour = try BackgroundProcess.nettool(["tour", "loss", "--json"])
        #expect(tour.wait(upTo: 60) { steps($0.stdoutText).contains { $0["lesson"] as? String == "loss" && $0["step"] as? Int == 1 } },
                "\(tour.stdoutText)\(tour.stderrText)")
        #expect(try !tourNamespaces().isEmpty, "the lesson's namespaces exist while it runs")
        tour.signal(SIGINT)
        try #require(tour.waitForExit(upTo: 20), "tour still running after SIGINT")
        #expect(tour.status == 130)
        #expect(try tourNamespaces().isEmpty)
    }

    @Test("without root the loss lesson says what it would show and why it needs root")
    func lossLessonWithoutRoot() throws {
        let arguments = ["tour", "loss", "--json"]
        let run = getuid() == 0
            ? try Run.program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", Run.binary] + arguments)
            : try Run.nettool(arguments)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let step = try #require(steps(run.stdout).first { $0["lesson"] as? String == "loss" })
        // Skipped, with the reason: neither a success nor a failure.
        #expect(step["ok"] == nil && step["skipped"] as? Bool == true, "\(step)")
        #expect((step["reason"] as? String)?.contains("needs root") == true, "\(step)")
        #expect((step["explanation"] as? String)?.contains("sudo nettool tour loss") == true)
        let summary = try #require(run.jsonLines.last)
        #expect(summary["event"] as? String == "summary" && summary["skipped"] as? Int == 1 && summary["failed"] as? Int == 0, "\(summary)")
    }

    @Test("lessons are chosen by their number in --list or by name in any case; --list --json is one record per lesson")
    func lessonNames() throws {
        let list = try Run.nettool(["tour", "--list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let records = list.jsonLines
        #expect(records.count == 13 && records.allSatisfy { $0["event"] as? String == "lesson" }, "\(list.stdout)")
        #expect(records.first?["number"] as? Int == 1 && records.first?["name"] as? String == "addresses")
        #expect(list.stdout.hasPrefix("{\"event\":\"lesson\""))
        for name in ["1", "ADDRESSES", "Addresses"] {
            let run = try Run.nettool(["tour", name, "--json"])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let lessonSteps = steps(run.stdout).filter { $0["event"] as? String == "step" }
            #expect(!lessonSteps.isEmpty && lessonSteps.allSatisfy { $0["lesson"] as? String == "addresses" }, "\(name)")
        }
        let wrong = try Run.nettool(["tour", "14"])
        #expect(wrong.status == 2 && wrong.stderr.contains("no lesson '14'") && wrong.stderr.contains("13 wire"), "\(wrong.stderr)")
    }

    @Test("SIGINT in the middle of the TCP lesson stops servers and removes files")
    func interruptedInTCPLesson() throws {
        // files first, so a scratch folder exists when the TCP lesson is interrupted.
        let tour = try BackgroundProcess.nettool(["tour", "files", "tcp", "--json"])
        #expect(tour.wait(upTo: 120) { steps($0.stdoutText).contains { $0["lesson"] as? String == "tcp" && $0["step"] as? Int == 1 } },
                "\(tour.stdoutText)\(tour.stderrText)")
        let objects = steps(tour.stdoutText)
        let folders = objects.compactMap { ($0["facts"] as? [String: String])?["folder"] }
        let folder = try #require(folders.first)
        let port = try #require(objects.first { $0["lesson"] as? String == "tcp" }.flatMap { ($0["facts"] as? [String: String])?["port"] }.flatMap(Int.init))
        #expect(FileManager.default.fileExists(atPath: folder))
        tour.signal(SIGINT)
        try #require(tour.waitForExit(upTo: 15), "tour still running after SIGINT")
        #expect(tour.status == 130)
        #expect(tour.stderrText.contains("tour interrupted; everything it started is stopped and removed"))
        #expect(!FileManager.default.fileExists(atPath: folder), "scratch folder \(folder) left behind")
        #expect(!canConnect(port: port), "the echo server's port \(port) is still open")
        if getuid() == 0 { #expect(try tourNamespaces().isEmpty) }
    }

    @Test("the handshake lesson captures one exchange: SYN, SYN-ACK, ACK, the data and its ACK, the close, the client in TIME_WAIT",
          .enabled(if: getuid() == 0, "capturing on lo needs root / CAP_NET_RAW; run the suite as root to exercise it"))
    func handshakeLesson() throws {
        let run = try Run.nettool(["tour", "handshake", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lessonSteps = steps(run.stdout).filter { $0["lesson"] as? String == "handshake" }
        try #require(lessonSteps.count == 3, "\(run.stdout)")
        for step in lessonSteps { #expect(step["ok"] as? Bool == true && step["skipped"] as? Bool == false, "\(step)") }
        let facts = lessonSteps.map { $0["facts"] as? [String: String] ?? [:] }
        #expect(facts[0]["source"] == "live" && Int(facts[0]["segments"] ?? "") ?? 0 >= 9, "\(facts[0])")
        // "hello, wire": 11 bytes, acknowledged up to the next byte the server expects (relative 1 + 11).
        #expect(facts[1]["data_bytes"] == "11" && facts[1]["acknowledged"] == "12", "\(facts[1])")
        #expect(facts[2]["closed_first"] == "client" && facts[2]["time_wait"] == "client", "\(facts[2])")
        // The text ladder's rows are shown: the handshake's three arrows and the close's.
        let handshake = lessonSteps[0]["output"] as? [String] ?? []
        #expect(handshake.contains { $0.contains("SYN_SENT") && $0.contains("handshake 1/3") }, "\(handshake)")
        #expect(handshake.contains { $0.contains("ESTABLISHED") && $0.contains("handshake 3/3") }, "\(handshake)")
        #expect((lessonSteps[0]["command"] as? String)?.contains("--ladder --json") == true)
        let close = lessonSteps[2]["output"] as? [String] ?? []
        #expect(close.count == Int(facts[2]["close_segments"] ?? "") && close.contains { $0.contains("TIME_WAIT") }, "\(close)")
        // Nothing left: the capture file's folder, the capture itself, the server's port.
        let file = try #require(facts[0]["file"])
        #expect(!FileManager.default.fileExists(atPath: file))
        let processes = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }
        let capturing = processes.filter { pid in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self).contains(file) } ?? false
        }
        #expect(capturing.isEmpty, "capture still running: \(capturing)")
        #expect(!canConnect(port: try #require(Int(facts[0]["port"] ?? ""))))
    }

    @Test("without the right to capture, the handshake lesson draws its recorded sample; the wire steps of udp, stream and close say why they are skipped")
    func handshakeLessonWithoutPrivilege() throws {
        let arguments = ["tour", "handshake", "udp", "stream", "close", "--json"]
        let run = getuid() == 0
            ? try Run.program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", Run.binary] + arguments)
            : try Run.nettool(arguments)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let all = steps(run.stdout)
        let lessonSteps = all.filter { $0["lesson"] as? String == "handshake" }
        try #require(lessonSteps.count == 3, "\(run.stdout)")
        for step in lessonSteps {
            #expect(step["ok"] as? Bool == true && (step["title"] as? String)?.hasSuffix("(a recorded sample)") == true, "\(step)")
        }
        let facts = lessonSteps.map { $0["facts"] as? [String: String] ?? [:] }
        #expect(facts[0]["source"] == "recorded sample" && facts[0]["segments"] == "10", "\(facts[0])")
        #expect(facts[1]["data_bytes"] == "5" && facts[1]["acknowledged"] == "6", "\(facts[1])")
        #expect(facts[2]["closed_first"] == "client" && facts[2]["time_wait"] == "client" && facts[2]["close_segments"] == "3")
        #expect((lessonSteps[0]["explanation"] as? String)?.contains("sudo nettool tour handshake") == true)
        let ladder = (lessonSteps[0]["output"] as? [String] ?? []).joined(separator: "\n")
        #expect(ladder.contains("connection #1: client 127.0.0.1:58070, server 127.0.0.1:7007") && ladder.contains("SYN_RECEIVED"), "\(ladder)")
        // The steps that need a live capture are skipped, each with its reason: neither success nor failure.
        let skipped = all.filter { $0["skipped"] as? Bool == true }
        #expect(Set(skipped.compactMap { step in (step["lesson"] as? String).map { "\($0) \(step["step"] as? Int ?? 0)" } })
                == ["udp 4", "stream 2", "close 3"], "\(skipped)")
        #expect(skipped.allSatisfy { ($0["reason"] as? String)?.contains("root or CAP_NET_RAW") == true && $0["ok"] == nil })
        let summary = try #require(all.last)
        #expect(summary["failed"] as? Int == 0 && summary["skipped"] as? Int == 3, "\(summary)")
    }

    @Test("without the right to capture, the wire lesson decodes its recorded sample")
    func wireLessonWithoutPrivilege() throws {
        guard getuid() == 0 else {
            // Already unprivileged: run it directly.
            let run = try Run.nettool(["tour", "wire", "--json"])
            #expect(run.status == 0 && run.stdout.contains("who-has 198.18.0.2"))
            return
        }
        let run = try Run.program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                                                       Run.binary, "tour", "wire", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let step = try #require(steps(run.stdout).first { $0["lesson"] as? String == "wire" })
        #expect(step["ok"] as? Bool == true)
        let output = (step["output"] as? [String] ?? []).joined(separator: "\n")
        #expect(output.contains("ARP request who-has 198.18.0.2 tell 198.18.0.1"))
        #expect(output.contains("NDP NA fd00:198:18::2 is-at 02:00:5e:00:00:02 [S O]"))
        #expect((step["explanation"] as? String)?.contains("sudo nettool tour wire") == true)
    }
}
