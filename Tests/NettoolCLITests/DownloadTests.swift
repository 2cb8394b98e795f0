import Foundation
import Testing

/// A scratch folder for downloads, removed at the end.
private final class Scratch {
    let path = NSTemporaryDirectory() + "nettool-dl-\(getpid())-\(UUID().uuidString.prefix(8))"
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
    func data(_ name: String) -> Data? { FileManager.default.contents(atPath: path + "/" + name) }
}

/// 8 MB of varied bytes, written once per test folder.
private let payload = Data((0..<8_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })

private func served() throws -> Scratch {
    let root = try Scratch()
    try payload.write(to: URL(fileURLWithPath: root.path + "/file.bin"))
    try Data("hello\n".utf8).write(to: URL(fileURLWithPath: root.path + "/hello.txt"))
    try FileManager.default.createDirectory(atPath: root.path + "/sub", withIntermediateDirectories: true)
    return root
}


@Suite("download from real HTTP servers and the raw protocol", .serialized, .timeLimit(.minutes(2)))
struct DownloadTests {
    @Test("from file-server: the file, its SHA-256 checked against Repr-Digest, no .part left")
    func fromFileServer() throws {
        let root = try served(), out = try Scratch()
        let server = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--port", "0", "--quiet"])
        let port = try #require(server.listeningPort())
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/file.bin", "-o", out.path + "/got.bin", "--json", "--explain"])
        #expect(run.status == 0, "\(run.stderr)")
        for step in ["connect(127.0.0.1:\(port))", "GET /file.bin HTTP/1.1", "HTTP/1.1 200 OK", "repr-digest: sha-256=:",
                     "fsync() + rename(\(out.path)/got.bin.part → \(out.path)/got.bin)"] {
            #expect(run.stderr.contains(step), "--explain lacks \(step)")
        }
        #expect(out.data("got.bin") == payload)
        #expect(!out.exists("got.bin.part") && !out.exists("got.bin.part.meta"))
        let result = try #require(run.jsonLines.first)
        #expect(result["server_digest_checked"] as? Bool == true)
        #expect(result["bytes"] as? Int == payload.count)
    }

    @Test("a transfer cut off half-way resumes with -c into a byte-identical file")
    func resumeAfterKill() throws {
        let root = try served(), out = try Scratch()
        // 64 MB without writing them: long enough to cut the transfer off.
        _ = FileManager.default.createFile(atPath: root.path + "/huge.bin", contents: nil)
        truncate(root.path + "/huge.bin", 64 << 20)
        let port = try freeTCPPort()
        let first = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--bind", "127.0.0.1", "--port", "\(port)", "--quiet"])
        #expect(first.listeningPort() == port)
        let cut = try BackgroundProcess.nettool(["download", "http://127.0.0.1:\(port)/huge.bin", "-o", out.path + "/huge.bin",
                                                 "--retries", "0", "--quiet"])
        #expect(cut.wait(upTo: 10) { _ in (out.data("huge.bin.part")?.count ?? 0) > 1_000_000 })
        first.signal(SIGKILL)
        #expect(cut.waitForExit(upTo: 10))
        #expect(cut.status == 7, "closed early or reset: \(cut.stderrText)")
        let partial = out.data("huge.bin.part")?.count ?? 0
        #expect(partial > 0 && partial < 64 << 20, "partial: \(partial)")
        #expect(!out.exists("huge.bin"))

        let second = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--bind", "127.0.0.1", "--port", "\(port)", "--quiet"])
        #expect(second.listeningPort() == port)
        let resumed = try Run.nettool(["download", "-c", "http://127.0.0.1:\(port)/huge.bin", "-o", out.path + "/huge.bin", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let result = try #require(resumed.jsonLines.first)
        #expect(result["resumed_from"] as? Int == partial)
        #expect(out.data("huge.bin") == Data(count: 64 << 20))
    }

    @Test("a file changed between attempts is fetched anew, never spliced")
    func changedFileRestarts() throws {
        let root = try served(), out = try Scratch()
        let server = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--port", "0", "--quiet"])
        let port = try #require(server.listeningPort())
        // What an interrupted run leaves: the first bytes of the old version and its validator.
        let head = try Run.program(try peer("curl", package: "curl"), ["-sI", "http://127.0.0.1:\(port)/file.bin"])
        let etag = try #require(head.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }?.dropFirst(5)
            .trimmingCharacters(in: .whitespaces))
        try payload.prefix(3_000_000).write(to: URL(fileURLWithPath: out.path + "/file.bin.part"))
        try Data("source=http://127.0.0.1:\(port)/file.bin\nvalidator=\(etag)\nlength=\(payload.count)\n".utf8)
            .write(to: URL(fileURLWithPath: out.path + "/file.bin.part.meta"))
        // The file changes on the server: same size, other bytes, new version.
        let changed = Data(payload.reversed())
        usleep(20_000)
        try changed.write(to: URL(fileURLWithPath: root.path + "/file.bin"))
        let run = try Run.nettool(["download", "-c", "http://127.0.0.1:\(port)/file.bin", "-o", out.path + "/file.bin", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(out.data("file.bin") == changed)
        #expect(run.jsonLines.first?["resumed_from"] as? Int == 0)
    }

    @Test("a wrong --sha256 keeps the .part, names both digests, exits 1")
    func digestMismatch() throws {
        let root = try served(), out = try Scratch()
        let server = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--port", "0", "--quiet"])
        let port = try #require(server.listeningPort())
        let wrong = String(repeating: "ab", count: 32)
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/hello.txt", "-o", out.path + "/hello.txt", "--sha256", wrong])
        #expect(run.status == 1)
        #expect(run.stderr.contains("SHA-256 mismatch against --sha256: expected \(wrong), got 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"))
        #expect(!out.exists("hello.txt") && out.data("hello.txt.part") == Data("hello\n".utf8))
    }

    @Test("HTTP errors are sentences; redirects are followed; an unknown scheme is refused plainly")
    func errorsAndRedirects() throws {
        let root = try served(), out = try Scratch()
        let server = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--port", "0", "--quiet"])
        let port = try #require(server.listeningPort())
        let missing = try Run.nettool(["download", "http://127.0.0.1:\(port)/missing.txt", "-o", out.path + "/m"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("404 Not Found: /missing.txt on 127.0.0.1:\(port)"))
        let redirected = try Run.nettool(["download", "http://127.0.0.1:\(port)/sub", "-o", out.path + "/listing.txt"])
        #expect(redirected.status == 0, "\(redirected.stderr)")
        #expect(String(decoding: out.data("listing.txt") ?? Data(), as: UTF8.self).hasPrefix("Index of /sub/"))
        let ftp = try Run.nettool(["download", "ftp://127.0.0.1/x"])
        #expect(ftp.status == 2 && ftp.stderr.contains("ftp:// is not a source download knows"))
    }

    @Test("a server that accepts but never answers: the transfer times out, is retried, then fails with a sentence")
    func stalledServer() throws {
        let out = try Scratch()
        // The kernel completes the handshake; nobody ever reads the request.
        let listener = try LoopbackListener(backlog: 8)
        let started = Date()
        let run = try Run.nettool(["download", "http://127.0.0.1:\(listener.port)/x", "-o", out.path + "/x",
                                   "--timeout", "300ms", "--retries", "1"])
        #expect(run.status == 5)
        #expect(run.stderr.contains("127.0.0.1:\(listener.port) sent nothing for 300ms"), "\(run.stderr)")
        // Two attempts of 300 ms and one back-off before the second.
        #expect(Date().timeIntervalSince(started) >= 0.6)
        #expect(!out.exists("x"))
    }

    @Test("from python3 -m http.server")
    func fromPythonServer() throws {
        let root = try served(), out = try Scratch()
        let port = try freeTCPPort()
        let python = try BackgroundProcess(try peer("python3", package: "python3"), ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", root.path])
        #expect(python.wait(upTo: 10) { _ in (try? RawTCPClient(port: port)) != nil })
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/file.bin", "-o", out.path + "/py.bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(out.data("py.bin") == payload)
    }

    @Test("raw://: from file-server --protocol raw and from a classic Python course server; a missing name")
    func raw() throws {
        let root = try served(), out = try Scratch()
        let server = try BackgroundProcess.nettool(["file-server", "--root", root.path, "--port", "0", "--protocol", "raw", "--quiet"])
        let port = try #require(server.listeningPort())
        let run = try Run.nettool(["download", "raw://127.0.0.1:\(port)/file.bin", "-o", out.path + "/raw.bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(out.data("raw.bin") == payload)
        let missing = try Run.nettool(["download", "raw://127.0.0.1:\(port)/nope", "-o", out.path + "/nope"])
        #expect(missing.status == 1 && missing.stderr.contains("closed without sending a byte"))
        #expect(!out.exists("nope.part"))

        let python = try peer("python3", package: "python3")
        let classic = """
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
            print(s.getsockname()[1], flush=True)
            c, _ = s.accept()
            name = c.recv(1024).decode()
            c.sendall(open(sys.argv[1] + "/" + name, "rb").read())
            c.close()
            """
        let course = try BackgroundProcess(python, ["-c", classic, root.path])
        #expect(course.wait(upTo: 10) { !$0.stdoutText.isEmpty })
        let coursePort = try #require(Int(course.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let fromCourse = try Run.nettool(["download", "raw://127.0.0.1:\(coursePort)/hello.txt", "-o", out.path + "/course.txt"])
        #expect(fromCourse.status == 0, "\(fromCourse.stderr)")
        #expect(out.data("course.txt") == Data("hello\n".utf8))
    }
}
