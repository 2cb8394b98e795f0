import Foundation
import Testing

private func records(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

@Suite("udp-send and udp-recv against hostile numbers and refusals", .serialized, .timeLimit(.minutes(2)))
struct UDPRobustnessTests {
    @Test("udp-recv --numbered takes datagrams announcing a total of 0 as unnumbered, and does not crash")
    func zeroTotals() throws {
        let payloads = ["#1/0 x", "#0/0", "#5/0", "#1/0"]
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--numbered", "--count", "\(payloads.count)",
                                                  "--timeout", "5s", "--json", "--echo"])
        let port = try #require(recv.listeningPort())
        for payload in payloads { _ = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", payload, "--quiet"]) }
        #expect(recv.waitForExit())
        #expect(recv.status == 0, "\(recv.stderrText)")
        let summary = try #require(records(recv.stdoutText).last { $0["event"] as? String == "summary" }, "\(recv.stdoutText)")
        let numbered = try #require(summary["numbered"] as? [String: Any])
        #expect(numbered["unnumbered"] as? Int == payloads.count && numbered["total"] as? Int == 0, "\(numbered)")
    }

    @Test("a later datagram announcing another total does not change the run's total; it is reported as conflicting")
    func conflictingTotal() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--numbered", "--count", "4", "--timeout", "5s", "--quiet"])
        let port = try #require(recv.listeningPort())
        for payload in ["#1/5 a", "#2/1000000 x", "#3/5 c", "#5/5 e"] {
            _ = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", payload, "--quiet"])
        }
        #expect(recv.waitForExit())
        #expect(recv.status == 0)
        #expect(recv.stderrText.contains("numbered: 3 of 5 arrived; missing 2: 2, 4"), "\(recv.stderrText)")
        #expect(recv.stderrText.contains("1 announced a total other than 5, the first one seen (not counted)"), "\(recv.stderrText)")
    }

    @Test("udp-send --lines --wait-reply --json numbers the replies 1, 2, 3")
    func replyNumbers() throws {
        let echo = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--echo", "--count", "3", "--timeout", "5s", "--quiet"])
        let port = try #require(echo.listeningPort())
        let send = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "--lines", "--wait-reply", "--json"], stdin: "one\ntwo\nthree\n")
        #expect(send.status == 0, "\(send.stderr)")
        let replies = records(send.stdout).filter { $0["event"] as? String == "reply" }
        #expect(replies.map { $0["seq"] as? Int } == [1, 2, 3], "\(send.stdout)")
        #expect(replies.map { $0["text"] as? String } == ["one", "two", "three"])
        #expect(echo.waitForExit())
    }

    @Test("one datagram to a closed loopback port: the ICMP port unreachable is reported, exit 4", arguments: ["127.0.0.1", "::1"])
    func singleDatagramRefused(host: String) throws {
        let port = freeUDPPort()
        let run = try Run.nettool(["udp-send", host, "\(port)", "anyone?"])
        let destination = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("ICMP port unreachable after datagram 1 of 1: nothing listens on \(destination)/udp"), "\(run.stderr)")
        #expect(run.stderr.contains("sent 1 datagram, 7 bytes") && run.stderr.contains("; 1 ICMP port unreachable came back"))
        #expect(run.stderr.contains("nettool: connection refused: nothing listens on \(destination)/udp"))
    }

    @Test("one datagram to a listening socket: exit 0 and no refusal")
    func singleDatagramDelivered() throws {
        let recv = try BackgroundProcess.nettool(["udp-recv", "--port", "0", "--count", "1", "--timeout", "5s", "--quiet"])
        let port = try #require(recv.listeningPort())
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("unreachable"))
        #expect(recv.waitForExit())
    }

    @Test("every refusal of a paced run is reported with its datagram: text, JSON and --explain")
    func pacedRefusals() throws {
        let port = freeUDPPort()
        let text = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello", "--count", "3", "--interval", "100ms"])
        #expect(text.status == 4)
        for number in 1...3 { #expect(text.stderr.contains("ICMP port unreachable after datagram \(number) of 3"), "\(text.stderr)") }
        #expect(text.stderr.contains("sent 3 datagrams") && text.stderr.contains("3 ICMP port unreachables came back"))
        let json = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello", "--count", "3", "--interval", "100ms", "--json"])
        #expect(json.status == 4)
        let lines = records(json.stdout)
        #expect(lines.filter { $0["event"] as? String == "port-unreachable" }.map { $0["after_datagram"] as? Int } == [1, 2, 3], "\(json.stdout)")
        #expect(lines.last { $0["event"] as? String == "summary" }?["port_unreachable"] as? Int == 3)
        let explained = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "hello", "--explain"])
        #expect(explained.status == 4)
        #expect(explained.stderr.contains("recv() → ECONNREFUSED") && explained.stderr.contains("came back after datagram 1"), "\(explained.stderr)")
    }

    @Test("an unpaced run into a closed port ends refused (exit 4) with the refusal reported, never a trap or a hang")
    func unpacedRefusal() throws {
        let port = freeUDPPort()
        let run = try Run.nettool(["udp-send", "127.0.0.1", "\(port)", "x", "--count", "5000", "--json"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(records(run.stdout).contains { $0["event"] as? String == "port-unreachable" }, "\(run.stdout)")
        #expect(run.stderr.contains("connection refused: nothing listens on 127.0.0.1:\(port)/udp"))
    }

    @Test("udp-recv --table-limit takes a number of 1 or more")
    func tableLimitOption() throws {
        #expect(try Run.nettool(["udp-recv", "--port", "0", "--table-limit", "0"]).status == 2)
        let help = try Run.nettool(["udp-recv", "--help"])
        #expect(help.stdout.contains("--table-limit <n>") && help.stdout.components(separatedBy: "(default: 65536)").count == 2, "\(help.stdout)")
    }
}
