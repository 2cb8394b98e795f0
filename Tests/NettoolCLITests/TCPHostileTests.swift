import Foundation
import Testing

private func closeEvents(_ server: BackgroundProcess) -> [[String: Any]] {
    server.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        .filter { $0["event"] as? String == "close" }
}

@Suite("tcp-echo-server under hostile clients", .serialized, .timeLimit(.minutes(2)))
struct TCPHostileTests {
    @Test("3,000 connections reset at once: every one is logged as reset, no descriptor is kept, the server carries on")
    func thousandsOfResets() throws {
        let limit = raiseOpenFileLimit()
        try #require(limit > 3_300, "this test needs an open-file limit over 3,300 (ulimit -Hn is \(limit))")
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--json"])
        let port = try #require(server.listeningPort(), "server did not start: \(server.stderrText)")
        let baseline = openDescriptors(server.pid)
        let before = descriptorTargets(server.pid)
        var clients: [RawTCPClient] = []
        for _ in 0..<3_000 {
            let client = try RawTCPClient(port: port)
            client.send("x")
            clients.append(client)
        }
        // Every connection has been accepted and served once before the resets.
        #expect(clients.filter { $0.receive(for: 3, until: 1) == [UInt8(ascii: "x")] }.count == 3_000)
        for client in clients { client.reset() }
        #expect(server.wait(upTo: 10) { closeEvents($0).count == 3_000 }, "\(closeEvents(server).count) closes logged")
        let reasons = Set(closeEvents(server).compactMap { $0["reason"] as? String })
        #expect(reasons.isSubset(of: ["connection reset by peer", "closed by peer"]), "\(reasons)")
        #expect(server.wait(upTo: 5) { openDescriptors($0.pid) <= baseline + 1 },
                "descriptors before: \(before); after 3,000 resets: \(descriptorTargets(server.pid))")
        let after = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "still here"])
        #expect(after.status == 0 && after.stdout == "still here\n")
    }

    @Test("--line fed 200 MB without a newline: closed with its reason after 64 KiB, memory stays flat")
    func endlessLine() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--json", "--line"])
        let port = try #require(server.listeningPort(), "server did not start: \(server.stderrText)")
        let before = try #require(residentKiB(pid: server.pid))
        let client = try RawTCPClient(port: port)
        var sent = 0
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let deadline = Date().addingTimeInterval(20)
        while sent < 200 << 20 && Date() < deadline {
            let count = chunk.withUnsafeBytes { Glibc.send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { break }
            sent += count
        }
        #expect(sent < 200 << 20, "the server took all 200 MB of one line")
        #expect(server.wait(upTo: 5) { closeEvents($0).count == 1 })
        let reason = closeEvents(server).first?["reason"] as? String ?? ""
        #expect(reason == "line over 64 KiB without a newline (--line)", "reason: \(reason)")
        let after = try #require(residentKiB(pid: server.pid))
        #expect(after - before < 16 * 1024, "server RSS grew from \(before) KiB to \(after) KiB")
    }

    @Test("out of descriptors (ulimit -n 64, 200 clients): accepting pauses before EMFILE, says so once, serves who is in, recovers")
    func outOfDescriptors() throws {
        let server = try BackgroundProcess("/bin/sh", ["-c", "ulimit -n 64 && exec \"$0\" \"$@\"", Run.binary,
                                                       "tcp-echo-server", "--port", "0", "--json"])
        let port = try #require(server.listeningPort(), "server did not start: \(server.stderrText)")
        let early = try RawTCPClient(port: port)
        early.send("before\n")
        #expect(early.receive(for: 3, untilSuffix: "before\n") == "before\n")
        var clients: [RawTCPClient] = []
        for _ in 0..<200 { clients.append(try RawTCPClient(port: port)) }
        let notice = "leaves for them; new connections wait in the backlog until one closes"
        #expect(server.wait(upTo: 3) { $0.stderrText.contains(notice) }, "\(server.stderrText)")
        early.send("during\n")
        #expect(early.receive(for: 3, untilSuffix: "during\n") == "during\n", "a connection accepted before the limit was not served at it")
        let before = cpuTicks(server.pid)
        usleep(1_000_000)
        #expect(cpuTicks(server.pid) - before < 20, "the server spins while accepting is paused")
        #expect(server.stderrText.components(separatedBy: notice).count == 2, "said more than once: \(server.stderrText)")
        clients.removeAll()
        let after = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "after"])
        #expect(after.status == 0 && after.stdout == "after\n", "\(after.stderr)")
    }
}

/// `setpriv` arguments that run the rest as nobody, without capabilities.
private let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]

@Suite("nettool as an unprivileged user", .serialized, .timeLimit(.minutes(1)),
       .enabled(if: getuid() == 0, "needs root to drop to another user (setpriv); run the suite as root"))
struct UnprivilegedTests {
    // Found by the file-server 403 test: TCP_NODELAY was set through `.socketOption`, which puts
    // it at SOL_SOCKET, where option 1 is SO_DEBUG; only root may set that, so for everyone else
    // every accepted connection was closed at once and every TCP client failed to connect.
    @Test("tcp-echo-server and tcp-echo-client, file-server and download work without root")
    func tcpWithoutRoot() throws {
        let echo = try BackgroundProcess("/usr/bin/setpriv", asNobody + [Run.binary, "tcp-echo-server", "--port", "0", "--json"])
        let echoPort = try #require(echo.listeningPort(), "tcp-echo-server did not start as nobody: \(echo.stderrText)")
        let client = try Run.program("/usr/bin/setpriv", asNobody + [Run.binary, "tcp-echo-client", "127.0.0.1", "\(echoPort)", "hello"])
        #expect(client.status == 0 && client.stdout == "hello\n", "\(client.stderr)")

        let folder = try ServedFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let files = try BackgroundProcess("/usr/bin/setpriv", asNobody + [Run.binary, "file-server", "--root", folder.path, "--port", "0", "--json"])
        let filePort = try #require(files.listeningPort(), "file-server did not start as nobody: \(files.stderrText)")
        let download = try Run.program("/usr/bin/setpriv", asNobody + [Run.binary, "download", "http://127.0.0.1:\(filePort)/a.txt", "-o", "/dev/shm/nettool-nobody-\(getpid()).txt"])
        defer { try? FileManager.default.removeItem(atPath: "/dev/shm/nettool-nobody-\(getpid()).txt") }
        #expect(download.status == 0, "\(download.stderr)")
        #expect(FileManager.default.contents(atPath: "/dev/shm/nettool-nobody-\(getpid()).txt") == Data("hello file\n".utf8))
    }

    @Test("a file the server may not read is 403 with the reason, not 404")
    func unreadableFile() throws {
        let folder = try ServedFolder()
        let locked = folder.path + "/locked.txt"
        try Data("no\n".utf8).write(to: URL(fileURLWithPath: locked))
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let server = try BackgroundProcess("/usr/bin/setpriv", asNobody + [Run.binary, "file-server", "--root", folder.path, "--port", "0", "--json"])
        let port = try #require(server.listeningPort(), "file-server did not start as nobody: \(server.stderrText)")
        #expect(try curl(["http://127.0.0.1:\(port)/locked.txt"]).code == 403)
        #expect(server.wait(upTo: 3) { requests($0).contains { $0["status"] as? Int == 403
            && ($0["note"] as? String)?.contains("cannot open it: Permission denied") == true } }, "\(server.stdoutText)")
    }
}
