import Foundation
import ProcessIO
import Testing
import Endpoints
@testable import nettool

@Suite("Command line parsing")
struct ParsingCLITests {
    @Test("subcommands parse with their options")
    func parse() throws {
        let command = try Nettool.parseAsRoot(["ip-classify", "--json", "10.0.0.0/8"])
        let classify = try #require(command as? Nettool.IPClassify)
        #expect(classify.json && classify.addresses == ["10.0.0.0/8"])
        let ports = try #require(try Nettool.parseAsRoot(["port-classify", "-1", "https"]) as? Nettool.PortClassify)
        #expect(ports.ports == ["-1", "https"])
    }

    @Test("help groups the subcommands and shows examples")
    func help() {
        let root = Nettool.helpMessage()
        #expect(root.contains("ADDRESSES AND PORTS SUBCOMMANDS") && root.contains("DATAGRAMS SUBCOMMANDS"))
        #expect(root.contains("udp-send") && root.contains("udp-recv"))
        #expect(root.contains("ip-classify") && root.contains("port-classify"))
        let classify = Nettool.helpMessage(for: Nettool.IPClassify.self)
        #expect(classify.contains("Examples:") && classify.contains("--json"))
        let ports = Nettool.helpMessage(for: Nettool.PortClassify.self)
        #expect(ports.contains("Examples:") && ports.contains("domain/udp"))
    }

    @Test("port-classify needs at least one port")
    func validation() {
        #expect(throws: (any Error).self) { try Nettool.parseAsRoot(["port-classify"]) }
    }
}

@Suite("nettool binary, end to end")
struct EndToEndTests {
    @Test("ip-classify --json over stdin: one object per line, exit 1 when any line is invalid")
    func ipClassifyStdin() throws {
        let run = try Run.nettool(["ip-classify", "--json"], stdin: "192.0.0.9\r\n010.1.1.1\n\n2001:DB8::/32\n")
        #expect(run.status == 1)
        let lines = run.jsonLines
        try #require(lines.count == 3)
        #expect(lines[0]["address"] as? String == "192.0.0.9")
        #expect(lines[0]["global"] as? Bool == true)
        #expect(lines[0]["registry_updated"] as? String == "2025-10-09")
        #expect((lines[0]["registry"] as? [String: Any])?["prefix"] as? String == "192.0.0.9/32")
        #expect(lines[1]["valid"] as? Bool == false)
        #expect((lines[1]["error"] as? String)?.contains("leading zero") == true)
        #expect(lines[2]["scope"] as? String == "documentation")
        #expect((lines[2]["network"] as? [String: Any])?["addresses"] as? String == "79228162514264337593543950336")
    }

    @Test("stdin blocks classified in parallel come out in input order")
    func parallelOrder() throws {
        let inputs = (0..<60_000).map { index in
            index % 3 == 0 ? "10.\(index >> 16).\((index >> 8) & 255).\(index & 255)" : "2001:db8::\(String(index, radix: 16))"
        }
        let run = try Run.nettool(["ip-classify", "--json"], stdin: inputs.joined(separator: "\n"))
        #expect(run.status == 0)
        let echoed = run.stdout.split(separator: "\n").map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["input"] as? String ?? ""
        }
        #expect(echoed == inputs)
    }

    @Test("ip-classify human output, and exit 0 when all inputs are valid")
    func ipClassifyHuman() throws {
        let run = try Run.nettool(["ip-classify", "fe80::1%eth0", "10.0.0.0/31"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("fe80::1%eth0\n"))
        #expect(run.stdout.contains("scope           link-local"))
        #expect(run.stdout.contains("RFC 3021"))
        #expect(run.stderr.isEmpty)
    }

    @Test("usage errors exit 2; bad addresses exit 1 with the reason on stderr")
    func exitStatuses() throws {
        #expect(try Run.nettool(["ip-classify", "--no-such-flag"]).status == 2)
        let bad = try Run.nettool(["ip-classify", "1.2.3"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("1.2.3: an IPv4 address has 4 dot-separated octets"))
    }

    @Test("--version names the registry dates")
    func version() throws {
        let run = try Run.nettool(["ip-classify", "--version"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Special-Purpose Address Registry: last updated 2025-10-09"))
    }

    @Test("port-classify reports this very test process listening on a loopback port")
    func portClassifyLive() throws {
        let listener = try LoopbackListener()
        let run = try Run.nettool(["port-classify", "--json", "\(listener.port)/tcp"])
        #expect(run.status == 0)
        let result = try #require(run.jsonLines.first)
        let listeners = try #require(result["listeners"] as? [[String: Any]])
        #expect(listeners.count == 1)
        #expect(listeners.first?["pid"] as? Int == Int(getpid()))
        #expect(listeners.first?["address"] as? String == "127.0.0.1")
        let bind = try #require((result["bind"] as? [String: Any])?["tcp"] as? [String: Any])
        #expect(bind["would_fail"] as? Bool == true)
    }

    @Test("port-classify JSON keys, service names both ways, invalid input")
    func portClassifyJSON() throws {
        let run = try Run.nettool(["port-classify", "--json", "5353", "domain/udp", "65536", "-1", "abc"])
        #expect(run.status == 1)
        let lines = run.jsonLines
        try #require(lines.count == 5)
        #expect(lines[0]["range"] as? String == "registered")
        let services = try #require(lines[0]["services"] as? [[String: Any]])
        #expect(services.contains { $0["name"] as? String == "mdns" && $0["protocol"] as? String == "udp" })
        for key in ["input", "valid", "port", "range", "privileged", "ephemeral", "services", "listeners"] {
            #expect(lines[0][key] != nil, "missing key \(key)")
        }
        #expect(lines[1]["port"] as? Int == 53 && lines[1]["protocol"] as? String == "udp")
        #expect(lines[2]["valid"] as? Bool == false)
        #expect((lines[2]["error"] as? String)?.contains("out of range") == true)
        #expect(lines[3]["valid"] as? Bool == false)
        #expect((lines[4]["error"] as? String)?.contains("neither a port number nor a service name") == true)
    }
}


@Suite("Signals")
struct SignalTests {
    /// A script that waits for the ready line and then stops the server: the signal handlers were
    /// armed only after that line, so SIGTERM killed all 40 of 40 such runs with no summary (and a
    /// signal landing while they were being armed was lost, leaving the server running).
    @Test("a SIGTERM sent the moment the ready line appears stops with the summary, exit 0", arguments: [
        ["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--json"],
        ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--json"],
        ["file-server", "--bind", "127.0.0.1", "--port", "0", "--root", "/tmp", "--json"],
    ])
    func sigtermAtReady(arguments: [String]) throws {
        for _ in 0..<5 {
            let server = try BackgroundProcess.nettool(arguments)
            // Polled every 0.1 ms: a script blocked reading the line reacts about that fast.
            try #require(server.wait(upTo: 5, interval: 100) { $0.stdoutText.contains(#""event":"listening""#) }, "\(server.stderrText)")
            server.signal(SIGTERM)
            #expect(server.waitForExit(upTo: 5), "SIGTERM was lost")
            #expect(server.status == 0)
            #expect(server.stdoutText.contains(#""event":"summary""#), "\(server.stdoutText)")
        }
    }
}

@Suite("One exit-status table")
struct ExitStatusTableTests {
    @Test("README holds the table every command's --help prints, from the one place it is written")
    func readmeAndHelp() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        #expect(text.contains(ExitStatus.markdownTable))
        for command in ["udp-send", "udp-recv", "tcp-echo-server", "tcp-echo-client", "file-server", "download", "ip-classify",
                        "port-classify", "capture"] {
            let help = try Run.nettool([command, "--help"])
            #expect(help.stdout.contains("Exit status:") && help.stdout.contains("2  usage error"), "\(command)")
        }
    }

    @Test("each --help lists only the statuses that command can end with, wrapped under their own column")
    func perCommandRows() throws {
        let local = ["ip-classify", "port-classify", "capture", "tcp-echo-server", "file-server"]
        for command in local {
            let help = try Run.nettool([command, "--help"]).stdout
            #expect(!help.contains("4  connection refused") && !help.contains("8  TLS failed"), "\(command)")
        }
        for command in ["download", "tcp-echo-client"] {
            let help = try Run.nettool([command, "--help"]).stdout
            #expect(help.contains("4  connection refused") && help.contains("8  TLS failed"), "\(command)")
            // Status 8's meaning is wrapped and keeps its indent (it used to continue at column 0).
            let lines = help.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("the handshake failed") }, "\(command)")
            #expect(lines.contains { $0.hasPrefix("     ") && $0.contains("the handshake failed") }, "\(command)")
        }
        let udpSend = try Run.nettool(["udp-send", "--help"]).stdout
        #expect(udpSend.contains("4  connection refused") && !udpSend.contains("8  TLS failed"))
    }

    @Test("no option's help names its default twice")
    func defaultsOnce() throws {
        for command in ["udp-send", "udp-recv", "tcp-echo-server", "tcp-echo-client", "file-server", "download", "capture"] {
            let help = try Run.nettool([command, "--help"]).stdout
            // Options are separated by lines that start a new "  -"; within one, "(default:" appears once.
            let options = help.components(separatedBy: "\n  -").dropFirst()
            for option in options {
                #expect(option.components(separatedBy: "(default:").count <= 2, "\(command): \(option)")
            }
        }
    }
}

@Suite("Option values as people type them")
struct OptionValueTests {
    @Test("--servername: an empty name is named as such; a fully qualified name with its root dot is accepted")
    func serverNames() throws {
        let empty = try Run.nettool(["tcp-echo-client", "127.0.0.1", "1", "x", "--tls", "--servername", ""])
        #expect(empty.status == 2 && empty.stderr.contains("the host name is empty"), "\(empty.stderr)")
        let dotted = try Run.nettool(["tcp-echo-client", "127.0.0.1", "1", "x", "--tls", "--servername", "localhost."])
        #expect(dotted.status != 2, "\(dotted.stderr)")
    }

    @Test("--read-size takes the size syntax --max-size takes")
    func readSize() throws {
        let run = try Run.nettool(["tcp-echo-server", "--read-size", "2K", "--port", "0", "--bind", "127.0.0.1", "--no-such-option"])
        // The unknown option is what fails: 2K itself parsed.
        #expect(run.status == 2 && !run.stderr.contains("read-size"), "\(run.stderr)")
        let tooBig = try Run.nettool(["tcp-echo-server", "--read-size", "2M", "--port", "0"])
        #expect(tooBig.status == 2 && tooBig.stderr.contains("--read-size must be 1 byte to 1 MiB"), "\(tooBig.stderr)")
    }

    @Test("a zero timeout is refused by every command that takes one")
    func zeroTimeouts() throws {
        for arguments in [["download", "http://127.0.0.1:1/x", "--connect-timeout", "0"], ["download", "http://127.0.0.1:1/x", "--timeout", "0"],
                          ["tcp-echo-client", "127.0.0.1", "1", "x", "--connect-timeout", "0"]] {
            let run = try Run.nettool(arguments)
            #expect(run.status == 2 && run.stderr.contains("longer than 0"), "\(arguments): \(run.stderr)")
        }
    }
}

@Suite("Typed arguments")
struct TypedArgumentTests {
    @Test("durations as people type them", arguments: [
        ("100ms", Duration.milliseconds(100)), ("2s", .seconds(2)), ("1.5s", .milliseconds(1500)),
        ("1m", .seconds(60)), ("250us", .microseconds(250)), ("3", .seconds(3)),
    ])
    func durations(text: String, duration: Duration) {
        #expect(DurationArgument(argument: text)?.value == duration)
    }

    @Test("a negative number is named as the culprit, -4 and -6 are flags, and -- ends the search")
    func negativeNumbers() {
        #expect(negativeNumberArgument(["udp-send", "127.0.0.1", "-1", "hi"]) == "-1")
        #expect(negativeNumberArgument(["udp-send", "-4", "127.0.0.1", "-20"]) == "-20")
        #expect(negativeNumberArgument(["udp-send", "-6", "::1", "9", "hi"]) == nil)
        #expect(negativeNumberArgument(["udp-send", "::1", "9", "--", "-1"]) == nil)
    }

    @Test("host syntax: addresses and names pass, typos are named", arguments: [
        ("127.0.0.1", true), ("::1", true), ("fe80::1%lo", true), ("localhost", true), ("a-b.example_1.test", true),
        ("999.1.1.1", false), ("bad_host!", false), ("-lead.example", false), ("a..b", false), ("", false),
        ("localhost.", true), ("example.test.", true), (".", false), ("a..", false),
    ])
    func hostSyntax(host: String, valid: Bool) {
        #expect((HostSyntax.problem(host) == nil) == valid, "\(host): \(HostSyntax.problem(host) ?? "ok")")
    }

    @Test("bad durations are rejected", arguments: ["", "ms", "-1s", "fast", "1e30s"])
    func badDurations(text: String) {
        #expect(DurationArgument(argument: text) == nil)
    }
}
