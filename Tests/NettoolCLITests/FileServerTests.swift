import Foundation
import Testing

/// 3 MB that no two offsets confuse (made once; debug builds are slow at it).
private let bigFile = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })

/// A folder of test files, removed when the test drops it.
final class ServedFolder {
    let path: String
    let big: Data

    init() throws {
        path = NSTemporaryDirectory() + "nettool-files-\(getpid())-\(UUID().uuidString.prefix(8))"
        let manager = FileManager.default
        try manager.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: path + "/.git", withIntermediateDirectories: true)
        big = bigFile
        try big.write(to: URL(fileURLWithPath: path + "/big.bin"))
        try Data("hello file\n".utf8).write(to: URL(fileURLWithPath: path + "/a.txt"))
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: path + "/.env"))
        try Data("[core]\n".utf8).write(to: URL(fileURLWithPath: path + "/.git/config"))
        try Data("inside\n".utf8).write(to: URL(fileURLWithPath: path + "/sub/notes.txt"))
        try manager.createSymbolicLink(atPath: path + "/escape", withDestinationPath: "/etc/passwd")
        // 64 MB without writing them (a sparse file): more than socket buffers hold.
        _ = manager.createFile(atPath: path + "/huge.bin", contents: nil)
        truncate(path + "/huge.bin", 64 << 20)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func startFileServer(_ folder: ServedFolder, _ extra: [String] = []) throws -> (BackgroundProcess, Int) {
    let server = try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--port", "0", "--json"] + extra)
    let port = try #require(server.listeningPort(), "file-server did not start: \(server.stderrText)")
    return (server, port)
}

func requests(_ server: BackgroundProcess) -> [[String: Any]] {
    server.stdoutText.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }.filter { $0["event"] as? String == "request" }
}

/// curl with -s, the response headers on stderr... no: headers into a file, body on stdout.
func curl(_ arguments: [String]) throws -> (status: Int32, body: Data, headers: [String: String], code: Int) {
    let headerFile = NSTemporaryDirectory() + "nettool-curl-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: headerFile) }
    let run = try Run.program(try peer("curl", package: "curl"), ["-s", "--max-time", "10", "-D", headerFile] + arguments)
    let raw = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    var headers: [String: String] = [:]
    var code = 0
    for line in raw.split(whereSeparator: \.isNewline) {
        if line.hasPrefix("HTTP/") { code = Int(line.split(separator: " ")[1]) ?? 0; headers = [:]; continue }
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (run.status, run.stdoutData, headers, code)
}

private func sha256(_ data: Data) throws -> Data {
    let run = try Run.program("/usr/bin/sha256sum", ["-"], stdin: data)
    let hex = Array(run.stdout.prefix(64))
    return Data(stride(from: 0, to: 64, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! })
}

@Suite("file-server over HTTP/1.1 against curl", .serialized, .timeLimit(.minutes(2)))
struct FileServerHTTPTests {
    @Test("a whole file: body intact, Content-Length, ETag, Last-Modified, Accept-Ranges, Repr-Digest")
    func wholeFile() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let response = try curl(["http://127.0.0.1:\(port)/big.bin"])
        #expect(response.code == 200)
        #expect(response.body == folder.big)
        #expect(response.headers["content-length"] == "3000000")
        #expect(response.headers["accept-ranges"] == "bytes")
        #expect(response.headers["etag"]?.hasPrefix("\"") == true)
        #expect(response.headers["last-modified"]?.hasSuffix(" GMT") == true)
        #expect(response.headers["repr-digest"] == "sha-256=:\(try sha256(folder.big).base64EncodedString()):")
        #expect(server.wait(upTo: 3) { requests($0).first?["status"] as? Int == 200 })
        #expect(requests(server).first?["bytes"] as? Int == 3_000_000)
    }

    @Test("ranges: first-last, suffix, past the end (416), and HEAD")
    func ranges() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        defer { withExtendedLifetime(server) {} }
        let url = "http://127.0.0.1:\(port)/big.bin"
        let first = try curl(["-r", "1000-1999", url])
        #expect(first.code == 206)
        #expect(first.body == folder.big.subdata(in: 1000..<2000))
        #expect(first.headers["content-range"] == "bytes 1000-1999/3000000")
        let suffix = try curl(["-r", "-100", url])
        #expect(suffix.code == 206 && suffix.body == folder.big.suffix(100))
        let past = try curl(["-r", "5000000-", url])
        #expect(past.code == 416)
        #expect(past.headers["content-range"] == "bytes */3000000")
        let head = try curl(["-I", url])
        #expect(head.code == 200 && head.body.isEmpty == false && head.headers["content-length"] == "3000000")
    }

    @Test("curl -C - resumes a partial download into an identical file")
    func resume() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        defer { withExtendedLifetime(server) {} }
        let target = folder.path + "/../nettool-resume-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: target) }
        try folder.big.prefix(1_234_567).write(to: URL(fileURLWithPath: target))
        let run = try Run.program(try peer("curl", package: "curl"), ["-s", "-C", "-", "-o", target, "http://127.0.0.1:\(port)/big.bin"])
        #expect(run.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == folder.big)
    }

    @Test("If-Range with another version's tag gets the whole file, with ours the range")
    func ifRange() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        defer { withExtendedLifetime(server) {} }
        let url = "http://127.0.0.1:\(port)/big.bin"
        let tag = try #require(try curl(["-I", url]).headers["etag"])
        let current = try curl(["-r", "0-9", "-H", "If-Range: \(tag)", url])
        #expect(current.code == 206 && current.body.count == 10)
        let stale = try curl(["-r", "0-9", "-H", "If-Range: \"stale-version\"", url])
        #expect(stale.code == 200 && stale.body == folder.big)
    }

    @Test("folders: text listing for curl, HTML for browsers, a redirect to add the slash; keep-alive")
    func folders() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let text = try curl(["http://127.0.0.1:\(port)/"])
        let listing = String(decoding: text.body, as: UTF8.self)
        #expect(listing.contains("sub/\n") && listing.contains("a.txt\t11\n") && listing.contains("big.bin\t3000000\n"))
        #expect(!listing.contains(".env") && !listing.contains(".git") && !listing.contains("escape"))
        let html = try curl(["-H", "Accept: text/html", "http://127.0.0.1:\(port)/sub/"])
        #expect(String(decoding: html.body, as: UTF8.self).contains("<a href=\"notes.txt\">notes.txt</a>"))
        let redirect = try curl(["http://127.0.0.1:\(port)/sub"])
        #expect(redirect.code == 301 && redirect.headers["location"] == "/sub/")
        // Two requests in one curl run share one connection.
        _ = try curl(["http://127.0.0.1:\(port)/a.txt", "http://127.0.0.1:\(port)/sub/notes.txt"])
        #expect(server.wait(upTo: 3) { requests($0).count == 5 })
        let peers = requests(server).suffix(2).compactMap { $0["peer"] as? String }
        #expect(peers.count == 2 && peers[0] == peers[1], "\(peers)")
    }

    @Test("nothing outside the root: every spelling of escape is refused and logged", arguments: [
        ("/../../etc/passwd", 403), ("/..%2f..%2fetc%2fpasswd", 403), ("/%2e%2e/%2e%2e/etc/passwd", 403),
        ("/sub/../../etc/passwd", 403), ("/escape", 403), ("/.env", 403), ("/.git/config", 403),
        ("/a.txt%00.png", 400), ("/..%5c..%5cetc%5cpasswd", 400), ("/bad%zzescape", 400), ("/no-such-file", 404),
    ])
    func traversal(target: String, status: Int) throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        let response = try curl(["--path-as-is", "http://127.0.0.1:\(port)\(target)"])
        #expect(response.code == status)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
        #expect(server.wait(upTo: 3) { requests($0).count == 1 })
        let logged = try #require(requests(server).first)
        #expect(logged["status"] as? Int == status)
        #expect(logged["path"] as? String == target)
        if status != 404 { #expect(logged["note"] is String, "a refusal is logged with its reason") }
    }

    @Test("an oversized head (431), a slowloris client and a client that vanishes leave the server serving")
    func abuse() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--idle-timeout", "1s"])
        let big = try curl(["-H", "X-Padding: \(String(repeating: "x", count: 9000))", "http://127.0.0.1:\(port)/a.txt"])
        #expect(big.code == 431)

        let slow = try RawTCPClient(port: port)
        slow.send("GET /a.txt HTTP/1.1\r\n")
        let vanishing = try RawTCPClient(port: port)
        vanishing.send("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect((vanishing.receive(for: 2, until: 1000)?.count ?? 0) >= 1000)
        vanishing.reset()
        let start = Date()
        var closed = false
        while Date().timeIntervalSince(start) < 4 && !closed {
            slow.send("X")  // a trickle, never the end of the head
            closed = slow.peerClosed(within: 0.2)
        }
        #expect(closed, "the slow client was not cut off")
        let normal = try curl(["http://127.0.0.1:\(port)/a.txt"])
        #expect(normal.code == 200 && normal.body == Data("hello file\n".utf8))
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["status"] as? Int == 408 } })
        #expect(requests(server).contains { $0["note"] as? String == "the client went away mid-transfer" })
    }

    @Test("a client that reads part of a large file and goes away is logged with the bytes that went out, not 0")
    func partialTransferLogged() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        // A 128 KiB receive window: what the client holds unread stays small.
        let client = try RawTCPClient(port: port, receiveBuffer: 65536)
        client.send("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        let read = try #require(client.receive(for: 20, until: 16 << 20)).count
        #expect(read >= 16 << 20)
        client.reset()
        let sentToHuge = { (server: BackgroundProcess) in requests(server).first { $0["path"] as? String == "/huge.bin" } }
        #expect(server.wait(upTo: 5) { sentToHuge($0) != nil })
        let logged = try #require(sentToHuge(server))
        let bytes = try #require(logged["bytes"] as? Int)
        #expect(logged["note"] as? String == "the client went away mid-transfer")
        // At least what the client read, less the 1 MiB piece being written when it left; at most
        // that plus what the server's send buffer held (tcp_wmem's maximum) and the client's window.
        let sendBufferMax = Int((try String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8))
            .split(whereSeparator: \.isWhitespace).last ?? "") ?? 4 << 20
        #expect(bytes >= read - (1 << 20) && bytes <= read + sendBufferMax + (1 << 20), "logged \(bytes) bytes; the client read \(read)")
    }

    @Test("a listing of a 50,000-entry folder does not stall other clients: the file system is read off the event loops")
    func hugeListing() throws {
        let folder = try ServedFolder()
        let many = folder.path + "/many"
        try FileManager.default.createDirectory(atPath: many, withIntermediateDirectories: true)
        for index in 0..<50_000 { close(open(many + "/f\(index).txt", O_CREAT | O_WRONLY, 0o644)) }
        let (server, port) = try startFileServer(folder, ["--quiet"])
        let listing = try BackgroundProcess(try peer("curl", package: "curl"), ["-s", "-o", "/dev/null", "-w", "%{time_total}",
                                                                              "http://127.0.0.1:\(port)/many/"])
        var smallTimes: [Double] = []
        while listing.isRunning && smallTimes.count < 200 {
            let start = Date()
            let client = try RawTCPClient(port: port)  // a new connection each time: every event loop gets some
            client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(String(decoding: client.receive(for: 5) ?? [], as: UTF8.self).hasSuffix("hello file\n"))
            smallTimes.append(Date().timeIntervalSince(start))
        }
        #expect(listing.waitForExit(upTo: 30))
        let listingTime = try #require(Double(listing.stdoutText), "curl printed \(listing.stdoutText)")
        // While the listing was being built, small requests kept completing, each in a fraction of its time.
        #expect(smallTimes.count >= 3, "only \(smallTimes.count) small downloads during a \(listingTime) s listing")
        #expect((smallTimes.max() ?? 0) < max(0.2, listingTime / 2), "slowest small download \(smallTimes.max() ?? 0) s, listing \(listingTime) s")
        withExtendedLifetime(server) {}
    }

    @Test("SIGTERM: summary and exit 0; errors: a missing root, a busy port")
    func lifecycle() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        _ = try curl(["http://127.0.0.1:\(port)/a.txt"])
        server.signal(SIGTERM)
        #expect(server.waitForExit(upTo: 5))
        #expect(server.status == 0)
        #expect(server.stdoutText.contains("\"event\":\"summary\""))
        let missing = try Run.nettool(["file-server", "--root", folder.path + "/nope", "--port", "0"])
        #expect(missing.status == 1 && missing.stderr.contains("is not a folder"))
        let listener = try LoopbackListener()
        let busy = try Run.nettool(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "\(listener.port)"])
        #expect(busy.status == 1 && busy.stderr.contains("address already in use"))
    }
}

@Suite("file-server --protocol raw, the lesson protocol", .serialized, .timeLimit(.minutes(1)))
struct FileServerRawTests {
    @Test("the classic client: sends the name with no newline and no half-close, reads until close")
    func classicClient() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--protocol", "raw"])
        let client = try RawTCPClient(port: port)
        client.send("big.bin")
        let received = client.receive(for: 5)
        #expect(received.map { Data($0) } == folder.big)
        #expect(server.wait(upTo: 3) { requests($0).first?["status"] as? Int == 200 })
        #expect(requests(server).first?["method"] as? String == "RAW")
    }

    @Test("a name ended by a newline or a half-close; nc as the client")
    func newlineAndHalfClose() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--protocol", "raw"])
        defer { withExtendedLifetime(server) {} }
        let withNewline = try RawTCPClient(port: port)
        withNewline.send("sub/notes.txt\r\n")
        #expect(withNewline.receive(for: 3) == Array("inside\n".utf8))
        let nc = try Run.program(try peer("nc", package: "netcat-openbsd"), ["-N", "-w", "5", "127.0.0.1", "\(port)"], stdin: Data("a.txt".utf8))
        #expect(nc.stdout == "hello file\n")
    }

    @Test("a missing or forbidden file: the connection closes without a byte, and the log says why", arguments: [
        ("no-such-file", 404), ("../../etc/passwd", 403), ("escape", 403), (".env", 403), ("sub", 404),
    ])
    func refused(name: String, status: Int) throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder, ["--protocol", "raw"])
        let client = try RawTCPClient(port: port)
        client.send(name + "\n")
        #expect(client.receive(for: 3)?.isEmpty == true)
        #expect(server.wait(upTo: 3) { requests($0).first?["status"] as? Int == status })
        #expect(requests(server).first?["note"] is String)
    }
}
