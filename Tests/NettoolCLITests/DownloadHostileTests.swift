import Foundation
import Testing

/// `Tests/Peers/hostile_http.py MODE` running on loopback, and its port.
func hostileServer(_ mode: String, seed: Int = 1) throws -> (BackgroundProcess, Int) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/hostile_http.py").path
    let server = try BackgroundProcess(try peer("python3", package: "python3"), [script, mode, String(seed)])
    var port: Int?
    server.wait { process in
        port = process.stdoutText.split(separator: "\n").first { $0.hasPrefix("port ") }.flatMap { Int($0.dropFirst(5)) }
        return port != nil
    }
    return (server, try #require(port, "hostile_http.py did not start: \(server.stderrText)"))
}

private func requestLines(_ server: BackgroundProcess) -> [Substring] {
    server.stdoutText.split(separator: "\n").filter { $0.hasPrefix("request ") }
}

/// The file hostile_http.py serves (BODY), and the other version some modes switch to (BODY2).
private let hostileBody = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
private let hostileBody2 = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) })

/// A scratch folder for one download test, removed when the test drops it.
private final class DownloadFolder {
    let path = NSTemporaryDirectory() + "nettool-dl-\(getpid())-\(UUID().uuidString.prefix(8))"

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("download against hostile servers and careless input", .serialized, .timeLimit(.minutes(2)))
struct DownloadHostileTests {
    @Test("a .part or .part.meta that is a symbolic link is never written through", arguments: [".part", ".part.meta"])
    func symlinkedPart(suffix: String) throws {
        let served = try ServedFolder()
        let folder = try DownloadFolder()
        let victim = folder.path + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/a.txt" + suffix, withDestinationPath: victim)
        let (server, port) = try startFileServer(served)
        for flags in [[], ["-c"]] {
            let run = try Run.nettool(["download"] + flags + ["http://127.0.0.1:\(port)/a.txt", "-o", folder.path + "/a.txt"])
            #expect(run.status == 1 && run.stderr.contains("is a symbolic link"), "\(run.stderr)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/a.txt"))
        }
        #expect(requests(server).isEmpty, "the refusal came after a request")
    }

    @Test("a body cut short by a clean FIN is retried and resumed into the whole file")
    func cleanCloseMidBody() throws {
        let (server, port) = try hostileServer("cut")
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: folder.path + "/f.bin") == hostileBody)
        let lines = requestLines(server)
        #expect(lines.count == 2 && lines.last?.contains("bytes=100000-") == true, "\(lines)")
    }

    @Test("malformed responses get sentences, not parser jargon, and leave nothing behind", arguments: [
        ("http09", "did not answer in HTTP/1.x"),
        ("cl-and-chunked", "conflicting or invalid framing"),
        ("cr-location", "malformed header line"),
        ("status999", "999 (no reason given): /f.bin"),
        ("big-header", "a response head larger than 80 KiB"),
        ("endless-head", "a response head larger than 80 KiB"),
        ("bad-chunk", "a chunk size that is not a hexadecimal number"),
        ("huge-chunk", "a chunk size that is not a hexadecimal number"),
    ])
    func malformed(mode: String, sentence: String) throws {
        let (server, port) = try hostileServer(mode)
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(run.status == 1 && run.stderr.contains(sentence), "\(run.stderr)")
        #expect(!run.stderr.contains("http_parser") && !run.stderr.contains("constant string") && !run.stderr.contains("overflow"))
        #expect(requestLines(server).count == 1, "a malformed answer is not worth a retry")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "a part that can never be resumed is not kept")
    }

    @Test("a resume answered with the wrong range, a 200 or another version starts over: never a spliced file",
          arguments: [("range-early", 3, false), ("range-late", 3, false), ("ignore-range", 2, false), ("etag-change", 3, true)])
    func resumeAnsweredWrongly(mode: String, requests: Int, newVersion: Bool) throws {
        let (server, port) = try hostileServer(mode)
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "--retry-delay", "10ms", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: folder.path + "/f.bin") == (newVersion ? hostileBody2 : hostileBody))
        let lines = requestLines(server)
        #expect(lines.count == requests && lines[1].contains("bytes=100000-"), "\(lines)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["f.bin"])
    }

    @Test("a connection cut at 20 random points (FIN or reset, head or body) is resumed into the identical file",
          arguments: [1, 2])
    func randomCuts(seed: Int) throws {
        let (server, port) = try hostileServer("random-cut", seed: seed)
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "--retries", "25", "--retry-delay", "10ms", "http://127.0.0.1:\(port)/f.bin",
                                   "-o", folder.path + "/f.bin"])
        #expect(run.status == 0, "\(run.stderr)\n\(server.stdoutText)")
        #expect(FileManager.default.contents(atPath: folder.path + "/f.bin") == hostileBody)
        #expect(server.stdoutText.split(separator: "\n").filter { $0.hasPrefix("cut ") }.count == 20)
        #expect(requestLines(server).count == 21)
    }

    @Test("download killed (SIGKILL) at 20 random moments, then -c: always the identical file")
    func killedAndContinued() throws {
        let (server, port) = try hostileServer("slow")
        let folder = try DownloadFolder()
        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 0..<20 {
            let path = folder.path + "/f\(round).bin"
            let source = "http://127.0.0.1:\(port)/f.bin"
            let first = try BackgroundProcess.nettool(["download", source, "-o", path])
            usleep(UInt32.random(in: 0..<400_000, using: &generator))
            first.signal(SIGKILL)
            _ = first.waitForExit(upTo: 5)
            if !FileManager.default.fileExists(atPath: path) { killedMidway += 1 }
            let resumed = try Run.nettool(["download", "-c", source, "-o", path])
            #expect(resumed.status == 0, "round \(round): \(resumed.stderr)")
            #expect(FileManager.default.contents(atPath: path) == hostileBody, "round \(round)")
            #expect(!FileManager.default.fileExists(atPath: path + ".part") && !FileManager.default.fileExists(atPath: path + ".part.meta"))
        }
        #expect(killedMidway >= 10, "only \(killedMidway) of 20 kills landed before the end; the server is too fast for this test")
        #expect(requestLines(server).contains { $0.contains("bytes=") }, "no kill left a part to resume")
    }

    @Test("redirects: a loop ends at --max-redirects, file: and ftp: are refused, //host/path is followed")
    func redirects() throws {
        let folder = try DownloadFolder()
        let (loop, loopPort) = try hostileServer("redirect-loop")
        let looped = try Run.nettool(["download", "http://127.0.0.1:\(loopPort)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(looped.status == 1 && looped.stderr.contains("more than 5 redirects"), "\(looped.stderr)")
        #expect(requestLines(loop).count == 6)
        for (mode, scheme) in [("redirect-file", "file"), ("redirect-ftp", "ftp")] {
            let (server, port) = try hostileServer(mode)
            let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
            #expect(run.status == 1 && run.stderr.contains("which download does not follow: \(scheme)://"), "\(run.stderr)")
            #expect(requestLines(server).count == 1)
        }
        let (relative, relativePort) = try hostileServer("redirect-scheme-relative")
        let followed = try Run.nettool(["download", "http://127.0.0.1:\(relativePort)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(requestLines(relative).last?.contains("GET /other.bin") == true)
        #expect(FileManager.default.contents(atPath: folder.path + "/f.bin") == hostileBody)
    }

    @Test("a missing or read-only destination folder is refused before connecting")
    func destinationFolder() throws {
        let (server, port) = try hostileServer("cut")
        let folder = try DownloadFolder()
        let missing = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/no/such/f.bin"])
        #expect(missing.status == 1 && missing.stderr.contains("the folder \(folder.path)/no/such does not exist"), "\(missing.stderr)")
        if getuid() == 0 {
            let mount = try Run.program("/usr/bin/mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", folder.path])
            try #require(mount.status == 0, "\(mount.stderr)")
            defer { _ = try? Run.program("/usr/bin/umount", ["-l", folder.path]) }
            let readOnly = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
            #expect(readOnly.status == 1 && readOnly.stderr.contains("is not writable (Read-only file system)"), "\(readOnly.stderr)")
        } else {
            let locked = folder.path + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
            let readOnly = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", locked + "/f.bin"])
            #expect(readOnly.status == 1 && readOnly.stderr.contains("is not writable (Permission denied)"), "\(readOnly.stderr)")
        }
        #expect(requestLines(server).isEmpty, "the refusal came after a request")
    }

    @Test("bytes past Content-Length are not part of the file, even when they form a second response",
          arguments: ["excess", "excess-response"])
    func excess(mode: String) throws {
        let (server, port) = try hostileServer(mode)
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: folder.path + "/f.bin") == Data(repeating: UInt8(ascii: "x"), count: 10))
        #expect(requestLines(server).count == 1)
    }

    @Test("--max-size stops an endless body and keeps nothing")
    func endless() throws {
        let (server, port) = try hostileServer("endless")
        let folder = try DownloadFolder()
        let run = try Run.nettool(["download", "--max-size", "1M", "http://127.0.0.1:\(port)/f.bin", "-o", folder.path + "/f.bin"])
        #expect(run.status == 1 && run.stderr.contains("--max-size 1,048,576 bytes"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(requestLines(server).count == 1, "a body over --max-size is not retried")
    }

    @Test("a full disk stops the download with a sentence; after making room, -c carries on into the whole file",
          .enabled(if: getuid() == 0, "needs root (mount -t tmpfs); run the suite as root to exercise it"))
    func diskFull() throws {
        let served = try ServedFolder()
        let (server, port) = try startFileServer(served)
        defer { server.signal(SIGKILL) }
        let disk = try DownloadFolder()
        // A 512 KiB file system: the 3 MB file cannot fit.
        let mount = try Run.program("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", disk.path])
        try #require(mount.status == 0, "\(mount.stderr)")
        defer { _ = try? Run.program("/usr/bin/umount", ["-l", disk.path]) }
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/big.bin", "-o", disk.path + "/big.bin"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot write \(disk.path)/big.bin.part: No space left on device")
                && run.stderr.contains("run the same command with -c"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: disk.path + "/big.bin"))
        let kept = (try? FileManager.default.attributesOfItem(atPath: disk.path + "/big.bin.part")[.size] as? Int) ?? 0
        #expect(kept > 0 && kept < served.big.count, "\(kept) bytes kept")
        let sidecar = try String(contentsOfFile: disk.path + "/big.bin.part.meta", encoding: .utf8)
        #expect(sidecar.contains("validator=\"") && sidecar.contains("length=\(served.big.count)"), "the sidecar: \(sidecar)")

        let grown = try Run.program("/usr/bin/mount", ["-o", "remount,size=8m", disk.path])
        try #require(grown.status == 0, "\(grown.stderr)")
        let resumed = try Run.nettool(["download", "-c", "http://127.0.0.1:\(port)/big.bin", "-o", disk.path + "/big.bin", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.jsonLines.first?["resumed_from"] as? Int == kept, "\(resumed.stdout)")
        #expect(FileManager.default.contents(atPath: disk.path + "/big.bin") == served.big)
    }

    @Test("refused before any network work: spaces, backslashes, control characters in a name, -o a folder")
    func refusedUpFront() throws {
        let folder = try DownloadFolder()
        let space = try Run.nettool(["download", "http://127.0.0.1:1/a b.txt"])
        #expect(space.status == 2 && space.stderr.contains("contains a space"), "\(space.stderr)")
        let backslash = try Run.nettool(["download", "http://127.0.0.1:1/a\\b.txt"])
        #expect(backslash.status == 2 && backslash.stderr.contains("backslash"))
        let escape = try Run.nettool(["download", "http://127.0.0.1:1/a%1b]0;x%07.txt"])
        #expect(escape.status == 2 && escape.stderr.contains("-o NAME") && !escape.stderr.contains("\u{1b}"), "\(escape.stderr)")
        let newline = try Run.nettool(["download", "http://127.0.0.1:1/a%0ab.txt"])
        #expect(newline.status == 2 && newline.stderr.contains("control characters"))
        let intoFolder = try Run.nettool(["download", "http://127.0.0.1:1/a.txt", "-o", folder.path])
        #expect(intoFolder.status == 2 && intoFolder.stderr.contains("is a folder"), "\(intoFolder.stderr)")
        let named = try Run.nettool(["download", "--retries", "0", "http://127.0.0.1:1/a%1b.txt", "-o", folder.path + "/ok.txt"])
        #expect(named.status == 4 || named.stderr.contains("connection refused"), "with -o the name is the user's: \(named.stderr)")
    }
}
