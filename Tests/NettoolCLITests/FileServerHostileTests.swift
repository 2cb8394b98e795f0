import Foundation
import Testing

/// Open descriptors of a process, from /proc/PID/fd.
/// One request on a fresh connection, the whole answer as text (until the server closes).
private func exchange(_ port: Int, _ request: String, seconds: Double = 3) throws -> String {
    let client = try RawTCPClient(port: port)
    client.send(request)
    return String(decoding: client.receive(for: seconds) ?? [], as: UTF8.self)
}

/// file-server against the defects a hostile probe found: each test failed before its fix.
@Suite("file-server under hostile clients", .serialized, .timeLimit(.minutes(2)))
struct FileServerHostileTests {
    @Test("a file truncated while sendfile sends it: the connection closes with a reason, no spin, SIGTERM works",
          arguments: ["http", "raw"])
    func truncatedMidTransfer(wireProtocol: String) throws {
        let folder = try ServedFolder()
        let path = folder.path + "/grow.log"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        truncate(path, 64 << 20)
        let (server, port) = try startFileServer(folder, ["--protocol", wireProtocol])
        let client = try RawTCPClient(port: port)
        client.send(wireProtocol == "http" ? "GET /grow.log HTTP/1.1\r\nHost: x\r\n\r\n" : "grow.log\n")
        #expect((client.receive(for: 2, until: 100_000)?.count ?? 0) >= 100_000)
        truncate(path, 0)  // what log rotation does
        let rest = client.receive(for: 5) ?? []
        #expect(rest.count < 64 << 20, "the whole file arrived although it was truncated")
        #expect(client.peerClosed(within: 1), "the server kept the connection open")
        #expect(server.wait(upTo: 3) { requests($0).contains { ($0["note"] as? String)?.contains("shrank to 0 bytes") == true } })
        let before = cpuTicks(server.pid)
        usleep(1_000_000)
        #expect(cpuTicks(server.pid) - before < 20, "the server burns CPU after the truncation")
        server.signal(SIGTERM)
        #expect(server.waitForExit(upTo: 5), "SIGTERM did not stop the server")
    }

    @Test("clients that connect and close leave no socket in CLOSE_WAIT; --max-connections stays usable")
    func clientCloses() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--max-connections", "10"])
        let baseline = openDescriptors(server.pid)
        for _ in 0..<300 { _ = try RawTCPClient(port: port) }  // connect, then close at once (deinit)
        #expect(server.wait(upTo: 3) { openDescriptors($0.pid) <= baseline + 2 },
                "descriptors: \(baseline) before, \(openDescriptors(server.pid)) after 300 closed clients")
        // Closed clients the kernel still holds in the accept queue are accepted (and count) a
        // moment later: a 503 with Retry-After while they drain is right, and a client that
        // honours it is then served. A slot that leaked would answer 503 every time.
        for _ in 0..<20 {
            var answer = ""
            for _ in 0..<5 {
                let client = try RawTCPClient(port: port)
                client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                client.shutdownWrite()
                answer = String(decoding: client.receive(for: 3) ?? [], as: UTF8.self)
                guard answer.hasPrefix("HTTP/1.1 503") && answer.contains("retry-after: 1") else { break }
                sleep(1)
            }
            #expect(answer.hasSuffix("hello file\n"), "\(answer)")
        }
        #expect(server.wait(upTo: 3) { openDescriptors($0.pid) <= baseline + 2 },
                "descriptors: \(baseline) before, \(openDescriptors(server.pid)) after 320 closed clients")
        let normal = try curl(["http://127.0.0.1:\(port)/a.txt"])
        #expect(normal.code == 200)
    }

    @Test("out of descriptors (ulimit -n 64, 200 clients): accepting pauses before EMFILE without spinning, says so once, serves who is in, recovers")
    func outOfDescriptors() throws {
        let folder = try ServedFolder()
        let server = try BackgroundProcess("/bin/sh", ["-c", "ulimit -n 64 && exec \"$0\" \"$@\"", Run.binary,
                                                       "file-server", "--root", folder.path, "--port", "0", "--json"])
        let port = try #require(server.listeningPort(), "file-server did not start: \(server.stderrText)")
        // A client already connected keeps being served, file and all, while new ones wait.
        let early = try RawTCPClient(port: port)
        early.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(early.receive(for: 3, untilSuffix: "hello file\n").hasSuffix("hello file\n"))
        var clients: [RawTCPClient] = []
        for _ in 0..<200 { clients.append(try RawTCPClient(port: port)) }
        let notice = "leaves for them; new connections wait in the backlog until one closes"
        #expect(server.wait(upTo: 3) { $0.stderrText.contains(notice) }, "\(server.stderrText)")
        for _ in 0..<3 {
            early.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(early.receive(for: 3, untilSuffix: "hello file\n").hasSuffix("hello file\n"),
                    "a connection accepted before the limit was not served at it")
        }
        let before = cpuTicks(server.pid)
        usleep(1_000_000)
        #expect(cpuTicks(server.pid) - before < 20, "the server spins while accepting is paused")
        #expect(server.stderrText.components(separatedBy: notice).count == 2, "said more than once: \(server.stderrText)")
        #expect(!server.stderrText.contains("EMFILE"), "the budget should keep accept() from running out: \(server.stderrText)")
        clients.removeAll()
        let normal = try curl(["http://127.0.0.1:\(port)/a.txt"])
        #expect(normal.code == 200)
    }

    @Test("over --max-connections a client gets a real 503 with Retry-After, not a reset")
    func overTheCap() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--max-connections", "1"])
        let holder = try RawTCPClient(port: port)
        usleep(200_000)
        let refused = try curl(["http://127.0.0.1:\(port)/a.txt"])
        #expect(refused.status == 0 && refused.code == 503)
        #expect(refused.headers["retry-after"] == "1")
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["status"] as? Int == 503 && $0["path"] as? String == "/a.txt" } })
        holder.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: holder.receive(for: 3) ?? [], as: UTF8.self).hasSuffix("hello file\n"))
    }

    @Test("names from the client are escaped in the text log: HTTP hidden path, raw name with ESC and NUL")
    func logInjection() throws {
        let folder = try ServedFolder()
        let http = try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--port", "0"])
        let httpPort = try #require(http.listeningPort())
        _ = try exchange(httpPort, "GET /.%1b]0;pwned%07%1b[2J HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(http.wait(upTo: 3) { $0.stdoutText.contains(" 403 ") })
        let raw = try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--port", "0", "--protocol", "raw"])
        let rawPort = try #require(raw.listeningPort())
        _ = try exchange(rawPort, "a\u{1b}[2J\u{0}\r\r\nb\n")
        #expect(raw.wait(upTo: 3) { $0.stdoutText.contains("RAW") })
        for log in [http.stdoutText, raw.stdoutText] {
            #expect(!log.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "a control byte reached the log: \(log.debugDescription)")
            #expect(log.contains("\\x1b"))
            #expect(log.split(separator: "\n").count == 1, "one request, one line: \(log.debugDescription)")
        }
        #expect(raw.stdoutText.contains("\\x00"))
    }

    @Test("the empty raw name is logged as empty, not as too long")
    func emptyRawName() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--protocol", "raw"])
        _ = try exchange(port, "\n")
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["note"] as? String == "no file name before its newline" } })
    }

    @Test("a link to a hidden file is hidden too; --show-hidden serves it")
    func linkToHidden() throws {
        let folder = try ServedFolder()
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/visible", withDestinationPath: ".env")
        let (server, port) = try startFileServer(folder)
        let hidden = try curl(["http://127.0.0.1:\(port)/visible"])
        #expect(hidden.code == 403 && !String(decoding: hidden.body, as: UTF8.self).contains("secret"))
        let listing = try curl(["http://127.0.0.1:\(port)/"])
        #expect(!String(decoding: listing.body, as: UTF8.self).contains("visible"))
        let (shownServer, shownPort) = try startFileServer(folder, ["--show-hidden"])
        let shown = try curl(["http://127.0.0.1:\(shownPort)/visible"])
        #expect(shown.code == 200 && shown.body == Data("secret\n".utf8))
        withExtendedLifetime((server, shownServer)) {}
    }

    @Test("HTTP edges: //sub redirects to /sub/, /a.txt/ is 404, huge ranges 416, absolute-form targets")
    func httpEdges() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let redirect = try exchange(port, "GET //sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(redirect.hasPrefix("HTTP/1.1 301") && redirect.lowercased().contains("location: /sub/\r\n"), "\(redirect)")
        #expect(try curl(["http://127.0.0.1:\(port)/a.txt/"]).code == 404)
        let huge = try curl(["-H", "Range: bytes=9223372036854775807-", "http://127.0.0.1:\(port)/a.txt"])
        #expect(huge.code == 416 && huge.headers["content-range"] == "bytes */11")
        let own = try exchange(port, "GET http://127.0.0.1:\(port)/a.txt HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        #expect(own.hasPrefix("HTTP/1.1 200") && own.hasSuffix("hello file\n"))
        let other = try exchange(port, "GET http://example.com/a.txt HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
        #expect(other.hasPrefix("HTTP/1.1 400") && other.contains("not a proxy"), "\(other)")
        withExtendedLifetime(server) {}
    }

    @Test("CONNECT, a trickled body and Expect: 100-continue are answered at once, with a length, and closed")
    func earlyAnswers() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--idle-timeout", "1s"])
        let connect = try exchange(port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        #expect(connect.hasPrefix("HTTP/1.1 405") && connect.lowercased().contains("content-length:"), "\(connect)")
        #expect(connect.lowercased().contains("connection: close"))

        let trickle = try RawTCPClient(port: port)
        trickle.send("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        let start = Date()
        var closed = false
        while Date().timeIntervalSince(start) < 4 && !closed {
            trickle.send("x")
            closed = trickle.peerClosed(within: 0.2)
        }
        #expect(closed && Date().timeIntervalSince(start) < 2.5, "a trickled body held the connection")

        let getWithBody = try exchange(port, "GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
        #expect(getWithBody.hasPrefix("HTTP/1.1 413"))

        let upload = folder.path + "/upload.bin"
        #expect(FileManager.default.createFile(atPath: upload, contents: Data(count: 2 << 20)))
        let began = Date()
        let put = try curl(["-T", upload, "-H", "Expect: 100-continue", "--expect100-timeout", "5", "http://127.0.0.1:\(port)/up.bin"])
        #expect(put.code == 405 && Date().timeIntervalSince(began) < 3, "Expect: 100-continue was left waiting")
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["method"] as? String == "CONNECT" && $0["status"] as? Int == 405 } })
    }

    @Test("hostile request heads get their status at once, a sentence in the log, and a clean close (no reset)", arguments: [
        ("GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", 400, "conflicting or invalid framing"),
        ("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "request-smuggling"),
        ("GET /a.txt HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", 400, "folded (obs-fold) line"),
        ("GET /a.txt HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-H: 1\r\n", count: 10_000) + "\r\n", 431, "request head over 8192 bytes"),
        ("GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n", 431, "request head over"),
        ("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=" + String(repeating: "0-0,", count: 5_000) + "1-1\r\n\r\n", 431, "request head over"),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "HTTP/2 connection preface"),
        ("GET /a.txt\r\n\r\n", 400, "HTTP/0.9"),
        ("GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "without a Host header"),
        ("GET /a.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "2 Host headers"),
    ])
    func hostileHeads(request: String, status: Int, note: String) throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let client = try RawTCPClient(port: port)
        client.send(request)
        let answer = try #require(client.receive(for: 3), "the connection was reset: the answer may never have been read")
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 \(status) "), "\(String(decoding: answer.prefix(80), as: UTF8.self))")
        #expect(server.wait(upTo: 3) { requests($0).contains { ($0["note"] as? String)?.contains(note) == true } }, "\(server.stdoutText)")
        usleep(200_000)
        #expect(requests(server).count == 1, "logged more than once: \(requests(server))")
        #expect(!server.stdoutText.contains("http_parser") && !server.stdoutText.contains("swift-http-parser"))
    }

    @Test("a Range of 1,500 ranges is answered with the whole file at once (multiple ranges are not served)")
    func manyRanges() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let ranges = (0..<1_500).map { "\($0 % 11)-\($0 % 11)" }.joined(separator: ",")
        let answer = try exchange(port, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: bytes=\(ranges)\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 200 ") && answer.hasSuffix("\r\n\r\nhello file\n"), "\(answer.prefix(80))")
        withExtendedLifetime(server) {}
    }

    @Test("2,000 connections at once are all served; every descriptor is given back when they leave")
    func twoThousandConnections() throws {
        let limit = raiseOpenFileLimit()
        try #require(limit > 2_200, "this test needs an open-file limit over 2,200 (ulimit -Hn is \(limit))")
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let baseline = openDescriptors(server.pid)
        var clients: [RawTCPClient] = []
        for _ in 0..<2_000 {
            let client = try RawTCPClient(port: port)
            client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            clients.append(client)
        }
        let served = clients.filter { $0.receive(for: 3, untilSuffix: "hello file\n").hasSuffix("hello file\n") }.count
        #expect(served == 2_000)
        let held = openDescriptors(server.pid)
        #expect(held >= baseline + 2_000, "\(held) descriptors with 2,000 open connections, \(baseline) before")
        clients.removeAll()
        #expect(server.wait(upTo: 5) { openDescriptors($0.pid) <= baseline + 2 },
                "descriptors: \(baseline) before, \(openDescriptors(server.pid)) after 2,000 clients left")
        #expect(try curl(["http://127.0.0.1:\(port)/a.txt"]).code == 200)
    }

    @Test("a head cut off at the idle timeout is logged once, as 408")
    func timeoutLoggedOnce() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--idle-timeout", "1s"])
        let slow = try RawTCPClient(port: port)
        slow.send("GET /a.txt HTTP/1.1\r\n")
        #expect(slow.peerClosed(within: 3))
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["status"] as? Int == 408 } })
        usleep(300_000)
        #expect(requests(server).count == 1, "\(requests(server))")
    }
}
