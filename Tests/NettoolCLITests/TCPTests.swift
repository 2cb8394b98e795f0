import Foundation
import Testing

private let allBytes = Data((0...255).map { UInt8($0) })

private func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

/// A `tcp-echo-server --json` on a kernel-chosen port, with its port.
private func startServer(_ extra: [String] = []) throws -> (BackgroundProcess, Int) {
    let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--json"] + extra)
    let port = try #require(server.listeningPort(), "server did not start: \(server.stderrText)")
    return (server, port)
}

private func events(_ server: BackgroundProcess, _ name: String) -> [[String: Any]] {
    jsonLines(server.stdoutText).filter { $0["event"] as? String == name }
}

@Suite("tcp-echo-server and tcp-echo-client against real peers", .serialized, .timeLimit(.minutes(3)))
struct TCPPeerTests {
    @Test("nc → server: text comes back, IPv4 and IPv6", arguments: ["127.0.0.1", "::1"])
    func netcatClient(host: String) throws {
        let (server, port) = try startServer()
        // -N: shut down the sending side at end of input, so the server sees the FIN.
        let nc = try Run.program(try peer("nc", package: "netcat-openbsd"), ["-N", "-w", "5", host, "\(port)"], stdin: Data("hello from netcat\nline two\n".utf8))
        #expect(nc.status == 0, "\(nc.stderr)")
        #expect(nc.stdout == "hello from netcat\nline two\n")
        #expect(server.wait(upTo: 5) { events($0, "close").count == 1 })
        let close = try #require(events(server, "close").first)
        #expect(close["bytes"] as? Int == 27)
        #expect((close["peer"] as? String)?.hasPrefix(host.contains(":") ? "[::1]:" : "127.0.0.1:") == true)
        #expect(close["duration_ms"] is Double)
    }

    @Test("socat → server: every byte value, 300 KB, comes back intact")
    func socatClientBinary() throws {
        let (server, port) = try startServer()
        let payload = Data((0..<1200).flatMap { _ in allBytes })
        let socat = try Run.program(try peer("socat", package: "socat"), ["-t", "5", "STDIO", "TCP:127.0.0.1:\(port)"], stdin: payload)
        #expect(socat.status == 0, "\(socat.stderr)")
        #expect(socat.stdoutData == payload)
        _ = server
    }

    @Test("client → socat PIPE server: one message, and a 200,000-byte interactive session")
    func clientAgainstSocat() throws {
        let port = try freeTCPPort()
        let socat = try BackgroundProcess(try peer("socat", package: "socat"), ["TCP-LISTEN:\(port),reuseaddr,fork,bind=127.0.0.1", "PIPE"])
        #expect(socat.wait(upTo: 5) { _ in (try? RawTCPClient(port: port)) != nil })
        let trip = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "hello socat"])
        #expect(trip.status == 0, "\(trip.stderr)")
        #expect(trip.stdout == "hello socat\n")
        #expect(trip.stderr.contains("echo from 127.0.0.1:\(port) matches: 11 bytes, round trip"))
        let input = String((0..<200_000).map { index in index % 50 == 49 ? "\n" : Character(UnicodeScalar(97 + index % 26)!) })
        let session = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)"], stdin: input)
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout == input)
        #expect(session.stderr.contains("200,000 bytes sent to 127.0.0.1:\(port), 200,000 echoed"))
    }

    @Test("client --json against our server: the round trip as one object")
    func clientJSON() throws {
        let (server, port) = try startServer()
        let run = try Run.nettool(["tcp-echo-client", "::1", "\(port)", "ping", "--json"])
        #expect(run.status == 0)
        let object = try #require(run.jsonLines.first)
        #expect(object["text"] as? String == "ping" && object["match"] as? Bool == true)
        #expect(object["hex"] as? String == "70696e67")
        #expect((object["rtt_ms"] as? Double).map { $0 > 0 } == true)
        _ = server
    }

    @Test("a client that never reads: the server stops reading from it, memory stays flat")
    func backpressure() throws {
        let (server, port) = try startServer()
        let before = try #require(residentKiB(pid: server.pid))
        let client = try RawTCPClient(port: port)
        let sent = client.flood(for: 3)
        let after = try #require(residentKiB(pid: server.pid))
        // Without back-pressure the server would read (and buffer) all the client offers, which
        // on loopback is hundreds of megabytes in 3 s. With it, only the socket buffers fill.
        #expect(sent < 32 << 20, "the client got \(sent) bytes into the connection")
        #expect(after - before < 16 * 1024, "server RSS grew from \(before) KiB to \(after) KiB")
        // The server still serves others meanwhile.
        let other = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "still here"])
        #expect(other.stdout == "still here\n")
        client.reset()
    }

    @Test("a client that resets mid-stream is logged as reset; the server carries on")
    func resetMidStream() throws {
        let (server, port) = try startServer()
        let client = try RawTCPClient(port: port)
        client.send(String(repeating: "x", count: 10_000))
        #expect(client.receive(for: 2, until: 10_000)?.count == 10_000)
        client.send("more")
        client.reset()
        #expect(server.wait(upTo: 5) { events($0, "close").count == 1 })
        let reason = events(server, "close").first?["reason"] as? String
        #expect(reason == "connection reset by peer" || reason == "closed by peer", "reason: \(reason ?? "none")")
        let after = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "after the reset"])
        #expect(after.status == 0 && after.stdout == "after the reset\n")
    }

    @Test("--max-connections: the extra connection is accepted, logged and closed at once")
    func maxConnections() throws {
        let (server, port) = try startServer(["--max-connections", "2"])
        let first = try RawTCPClient(port: port), second = try RawTCPClient(port: port)
        #expect(server.wait(upTo: 5) { events($0, "open").count == 2 })
        let third = try RawTCPClient(port: port)
        #expect(third.peerClosed(within: 3))
        #expect(server.wait(upTo: 3) { events($0, "rejected").count == 1 })
        #expect(events(server, "rejected").first?["max_connections"] as? Int == 2)
        // The first two are still served.
        first.send("a")
        #expect(first.receive(for: 2, until: 1) == Array("a".utf8))
        _ = second
    }

    @Test("--idle-timeout closes a silent connection and logs why")
    func idleTimeout() throws {
        let (server, port) = try startServer(["--idle-timeout", "300ms"])
        let client = try RawTCPClient(port: port)
        let start = Date()
        #expect(client.peerClosed(within: 5))
        #expect(Date().timeIntervalSince(start) >= 0.25)
        #expect(server.wait(upTo: 3) { events($0, "close").first?["reason"] as? String == "idle timeout" })
    }

    @Test("SIGTERM: stops accepting, prints the summary, exits 0")
    func sigterm() throws {
        let (server, port) = try startServer()
        for index in 0..<3 {
            _ = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "message \(index)"])
        }
        server.signal(SIGTERM)
        #expect(server.waitForExit(upTo: 5))
        #expect(server.status == 0)
        let summary = try #require(events(server, "summary").first)
        #expect(summary["connections"] as? Int == 3)
        #expect(summary["bytes"] as? Int == 27)
        #expect(summary["peak_concurrent"] as? Int == 1)
    }

    @Test("SIGINT with an open connection: it gets --grace, then is closed, and counted")
    func grace() throws {
        let (server, port) = try startServer(["--grace", "500ms"])
        let client = try RawTCPClient(port: port)
        #expect(server.wait(upTo: 3) { events($0, "open").count == 1 })
        let start = Date()
        server.signal(SIGINT)
        // The listening socket closes: new clients are refused.
        #expect(server.wait(upTo: 3) { _ in (try? RawTCPClient(port: port)) == nil })
        // Still served during the grace period.
        client.send("in grace")
        #expect(client.receive(for: 0.4, until: 8) == Array("in grace".utf8))
        #expect(server.waitForExit(upTo: 5))
        #expect(Date().timeIntervalSince(start) >= 0.45)
        #expect(server.status == 0)
        #expect(events(server, "close").contains { $0["id"] as? Int == 1 && $0["reason"] as? String == "server shutdown" })
        #expect(events(server, "summary").first?["closed_at_shutdown"] as? Int == 1)
    }

    @Test("--once serves one connection, then exits 0")
    func once() throws {
        let (server, port) = try startServer(["--once"])
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "just once"])
        #expect(run.stdout == "just once\n")
        #expect(server.waitForExit(upTo: 5))
        #expect(server.status == 0)
        #expect(events(server, "summary").first?["connections"] as? Int == 1)
    }

    @Test("--line holds a partial line until its newline arrives")
    func lineMode() throws {
        let (server, port) = try startServer(["--line"])
        let client = try RawTCPClient(port: port)
        client.send("ab")
        #expect(client.receive(for: 0.3)?.isEmpty == true)
        client.send("c\nde")
        #expect(client.receive(for: 2, until: 4) == Array("abc\n".utf8))
        client.shutdownWrite()
        #expect(client.receive(for: 2) == Array("de".utf8))
        _ = server
    }

    @Test("the load generator: 1,000 concurrent connections, every echo verified, JSON report")
    func bench() throws {
        let (server, port) = try startServer(["--quiet"])
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "--bench", "--connections", "1000",
                                   "--messages", "20000", "--size", "512", "--pipeline", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(run.jsonLines.first)
        #expect(report["connections"] as? Int == 1000)
        #expect(report["messages"] as? Int == 20000)
        #expect(report["errors"] as? Int == 0)
        #expect(report["bytes"] as? Int == 20000 * 512)
        #expect((report["msgs_per_sec"] as? Double).map { $0 > 0 } == true)
        let latency = try #require(report["latency_us"] as? [String: Double])
        #expect(Set(latency.keys).isSuperset(of: ["p50", "p90", "p99", "p999", "max"]))
        #expect(latency["p50"]! <= latency["p99"]! && latency["p99"]! <= latency["max"]!)
        server.signal(SIGTERM)
        #expect(server.waitForExit(upTo: 5))
        #expect(events(server, "summary").first?["peak_concurrent"] as? Int == 1000)
    }

    @Test("--reconnect: each connection is replaced after N messages; handshakes counted by both sides")
    func benchReconnect() throws {
        let (server, port) = try startServer(["--quiet"])
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "--bench", "--connections", "4",
                                   "--messages", "42", "--reconnect", "5", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(run.jsonLines.first)
        // 42 messages over 4 connections: 11, 11, 10, 10; at 5 per connection, 3 + 3 + 2 + 2 connections.
        #expect(report["messages"] as? Int == 42 && report["errors"] as? Int == 0, "\(run.stdout)")
        #expect(report["reconnect"] as? Int == 5)
        #expect(report["handshakes"] as? Int == 10)
        #expect((report["handshakes_per_sec"] as? Double).map { $0 > 0 } == true)
        let setup = try #require(report["handshake_us"] as? [String: Double])
        #expect(setup["p50"]! > 0 && setup["p50"]! <= setup["max"]!)
        server.signal(SIGTERM)
        #expect(server.waitForExit(upTo: 5))
        #expect(events(server, "summary").first?["connections"] as? Int == 10, "\(server.stdoutText)")

        let text = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "--bench", "--duration", "1s", "--reconnect", "1"])
        #expect(text.status != 0, "the server is gone: no connection can open")
        #expect(text.stderr.contains("refused"), "\(text.stderr)")
    }

    @Test("the load report names an IPv6 server as [::1]:PORT")
    func benchIPv6Address() throws {
        let (server, port) = try startServer(["--quiet"])
        let run = try Run.nettool(["tcp-echo-client", "::1", "\(port)", "--bench", "--messages", "10"])
        #expect(run.status == 0 && run.stdout.hasPrefix("load test of [::1]:\(port): "), "\(run.stdout)")
        withExtendedLifetime(server) {}
    }

    @Test("--bench against a server that mangles the echo counts errors and exits 1")
    func benchDetectsCorruption() throws {
        let port = try freeTCPPort()
        let socat = try BackgroundProcess(try peer("socat", package: "socat"), ["TCP-LISTEN:\(port),reuseaddr,fork,bind=127.0.0.1", "SYSTEM:stdbuf -o0 tr a-z A-Z"])
        #expect(socat.wait(upTo: 5) { _ in (try? RawTCPClient(port: port)) != nil })
        // The pattern's byte 97 is the first lowercase letter.
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "--bench", "--messages", "10", "--size", "300", "--json"])
        #expect(run.status == 1)
        let report = try #require(run.jsonLines.first)
        #expect((report["errors"] as? Int ?? 0) >= 1)
        #expect((report["error_samples"] as? [String])?.first?.contains("echo mismatch at stream byte 97") == true)
    }
}

@Suite("tcp-echo errors: one sentence each, and the documented exit status", .serialized, .timeLimit(.minutes(2)))
struct TCPErrorTests {
    @Test("port already in use: exit 1")
    func portInUse() throws {
        let listener = try LoopbackListener()
        let run = try Run.nettool(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "\(listener.port)"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot listen on 127.0.0.1:\(listener.port): address already in use"))
    }

    @Test("a bad or foreign --bind address: exit 1", arguments: [
        ("1.2.3", "'1.2.3' is not an IP address of this host"),
        ("198.18.0.99", "that address is not on any interface of this host"),
    ])
    func badAddress(address: String, message: String) throws {
        let run = try Run.nettool(["tcp-echo-server", "--bind", address, "--port", "0"])
        #expect(run.status == 1)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("refused: exit 4; unknown name: exit 3; mismatch: exit 1 with a diff")
    func clientErrors() throws {
        let port = try freeTCPPort()
        let refused = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "x"])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("connection refused: nothing listens on 127.0.0.1:\(port)/tcp"))
        let unknown = try Run.nettool(["tcp-echo-client", "no-such-host.invalid", "7", "x"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("cannot resolve 'no-such-host.invalid'"))

        let upper = try freeTCPPort()
        let socat = try BackgroundProcess(try peer("socat", package: "socat"), ["TCP-LISTEN:\(upper),reuseaddr,fork,bind=127.0.0.1", "SYSTEM:tr a-z A-Z"])
        #expect(socat.wait(upTo: 5) { _ in (try? RawTCPClient(port: upper)) != nil })
        let mismatch = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(upper)", "hello"])
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr.contains("the echo differs from what was sent at byte 0 (of 5)"))
        #expect(mismatch.stderr.contains("+ echo: \"HELLO\""))
    }

    @Test("a server that takes the bytes but never echoes: exit 5 after --timeout")
    func replyTimeout() throws {
        // The kernel completes the handshake and buffers the data; nobody ever reads it.
        let listener = try LoopbackListener(backlog: 4)
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(listener.port)", "hello", "--timeout", "300ms"])
        #expect(run.status == 5)
        #expect(run.stderr.contains("echoed 0 of 5 bytes, then nothing for 300ms"))
    }

    @Test("a handshake that is never answered: exit 5 after --connect-timeout")
    func connectTimeout() throws {
        // With backlog 0 the accept queue holds one connection; once it is taken, the kernel
        // drops further SYNs.
        let listener = try LoopbackListener(backlog: 0)
        let held = try RawTCPClient(port: Int(listener.port))
        _ = held
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(listener.port)", "x", "--connect-timeout", "500ms"])
        #expect(run.status == 5, "\(run.stderr)")
        #expect(run.stderr.contains("within 500ms: the handshake did not complete"))
    }

    @Test("the server resets the connection: exit 7")
    func reset() throws {
        let listener = try LoopbackListener()
        let client = try BackgroundProcess.nettool(["tcp-echo-client", "127.0.0.1", "\(listener.port)", "hello", "--timeout", "3s"])
        #expect(listener.acceptAndReset(within: 5))
        #expect(client.waitForExit(upTo: 5))
        #expect(client.status == 7)
        #expect(client.stderrText.contains("connection reset by 127.0.0.1:\(listener.port)"))
    }

    @Test("a server that closes in order before the whole echo is back: exit 7, told apart from a reset")
    func closedEarly() throws {
        let listener = try LoopbackListener()
        let client = try BackgroundProcess.nettool(["tcp-echo-client", "127.0.0.1", "\(listener.port)", "hello", "--timeout", "3s"])
        #expect(listener.acceptEchoPartly(2, within: 5))
        #expect(client.waitForExit(upTo: 5))
        #expect(client.status == 7)
        #expect(client.stderrText.contains("127.0.0.1:\(listener.port) closed the connection after echoing 2 of 5 bytes"), "\(client.stderrText)")
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try Run.nettool(["tcp-echo-server", "--port", "70000"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "--connections", "5"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "--bench", "--connections", "10001"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "msg", "--bench"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "--bench", "--reconnect", "0"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "msg", "--reconnect", "3"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "msg", "--repeat", "0"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "msg", "--repeat", "2", "--reset"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-client", "127.0.0.1", "7", "--reset"]).status == 2)
        #expect(try Run.nettool(["tcp-echo-server", "--port", "0", "--read-size", "0"]).status == 2)
        let v4Only = try Run.nettool(["tcp-echo-server", "--port", "0", "--bind", "127.0.0.1", "--ipv6-only"])
        #expect(v4Only.status == 2 && v4Only.stderr.contains("--ipv6-only goes with an IPv6 --bind"), "\(v4Only.stderr)")
    }

    @Test("--explain narrates the socket calls of both sides on stderr")
    func explain() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--once", "--explain"])
        let port = try #require(server.listeningPort())
        let client = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "hi", "--explain"])
        #expect(client.stdout == "hi\n")
        for call in ["socket(AF_INET, SOCK_STREAM)", "connect(127.0.0.1:\(port))", "three-way handshake", "send(2 bytes)",
                     "shutdown(SHUT_WR) → FIN", "recv() → 2 bytes"] {
            #expect(client.stderr.contains(call), "client narration lacks \(call)")
        }
        #expect(server.waitForExit(upTo: 5))
        for call in ["socket(AF_INET6, SOCK_STREAM)", "bind([::]:\(port))", "listen(backlog: 4096)", "accept() → new socket for 127.0.0.1:",
                     "recv() → 2 bytes", "send(2 bytes)", "recv() → 0 (FIN from 127.0.0.1:", "close() → FIN"] {
            #expect(server.stderrText.contains(call), "server narration lacks \(call)")
        }
    }
}

@Suite("tcp-echo in a test-owned network namespace", .serialized,
       .enabled(if: getuid() == 0, "needs root (ip netns, setpriv); run the suite as root to exercise it"))
struct TCPNamespaceTests {
    private let ip = "/usr/sbin/ip"

    @Test("no route to the server: exit 6 with what to check")
    func unreachable() throws {
        let namespace = "nettool-test-tcpu\(getpid() % 100_000)"
        #expect(try Run.program(ip, ["netns", "add", namespace]).status == 0)
        defer { _ = try? Run.program(ip, ["netns", "del", namespace]) }
        // A fresh namespace has no routes at all, so the connect fails at once (ENETUNREACH).
        let run = try Run.program(ip, ["netns", "exec", namespace, Run.binary, "tcp-echo-client", "198.18.0.1", "7", "x"])
        #expect(run.status == 6, "\(run.stderr)")
        #expect(run.stderr.contains("198.18.0.1:7 is unreachable: no route to that network"))
    }

    @Test("port 80 as an unprivileged user: exit 1 with what to do")
    func privilegedPort() throws {
        let namespace = "nettool-test-tcp\(getpid() % 100_000)"
        #expect(try Run.program(ip, ["netns", "add", namespace]).status == 0)
        defer { _ = try? Run.program(ip, ["netns", "del", namespace]) }
        // A fresh namespace has the default ip_unprivileged_port_start (1024), whatever the host's is.
        let run = try Run.program(ip, ["netns", "exec", namespace, "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                       "--clear-groups", Run.binary, "tcp-echo-server", "--bind", "0.0.0.0", "--port", "80"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("port 80 needs root or CAP_NET_BIND_SERVICE"))
    }
}

@Suite("the one connector: every address of a name, in order", .serialized,
       .enabled(if: getuid() == 0, "needs root (ip netns, /etc/netns hosts file); run the suite as root to exercise it"))
struct ConnectorTests {
    private let ip = "/usr/sbin/ip"

    @Test("a name whose first address is dead and second alive: echo client, load generator and download all get through")
    func deadFirstAddress() throws {
        let namespace = "nettool-test-dual\(getpid() % 100_000)"
        // `ip netns exec` mounts /etc/netns/NAME/hosts over /etc/hosts: a name only this test knows.
        let etc = "/etc/netns/" + namespace
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: etc) }
        try Data("::1 dual.test\n127.0.0.1 dual.test\n".utf8).write(to: URL(fileURLWithPath: etc + "/hosts"))
        #expect(try Run.program(ip, ["netns", "add", namespace]).status == 0)
        defer { _ = try? Run.program(ip, ["netns", "del", namespace]) }
        _ = try Run.program(ip, ["-n", namespace, "link", "set", "lo", "up"])
        let inside = { (arguments: [String]) in ["netns", "exec", namespace, Run.binary] + arguments }

        let server = try BackgroundProcess(ip, inside(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0"]))
        let port = try #require(server.listeningPort(), "\(server.stderrText)")
        let echo = try Run.program(ip, inside(["tcp-echo-client", "dual.test", "\(port)", "hello", "--explain"]))
        #expect(echo.status == 0 && echo.stdout == "hello\n", "\(echo.stderr)")
        #expect(echo.stderr.contains("getaddrinfo(\"dual.test\") → ::1, 127.0.0.1"), "\(echo.stderr)")
        #expect(echo.stderr.contains("connect([::1]:\(port)) failed") && echo.stderr.contains("connected to 127.0.0.1:\(port)"))
        let bench = try Run.program(ip, inside(["tcp-echo-client", "dual.test", "\(port)", "--bench", "--connections", "4",
                                                "--messages", "40", "--json"]))
        #expect(bench.status == 0 && bench.stdout.contains("\"errors\":0"), "\(bench.stdout) \(bench.stderr)")

        let folder = try ServedFolder()
        let files = try BackgroundProcess(ip, inside(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "0"]))
        let filesPort = try #require(files.listeningPort(), "\(files.stderrText)")
        let out = folder.path + "/sub/copy.txt"
        let download = try Run.program(ip, inside(["download", "http://dual.test:\(filesPort)/a.txt", "-o", out, "--retries", "0"]))
        #expect(download.status == 0, "\(download.stderr)")
        #expect(FileManager.default.contents(atPath: out) == Data("hello file\n".utf8))
    }
}
