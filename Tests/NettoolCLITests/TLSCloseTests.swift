import Foundation
import Testing

/// Runs `body` and how long it took, in seconds.
private func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = Date()
    let result = try body()
    return (result, Date().timeIntervalSince(start))
}

/// Runs a python3 script to its end; its last stdout line is a JSON object.
private func python(_ script: String) throws -> [String: Any] {
    let run = try Run.program("/usr/bin/python3", ["-c", script])
    let line = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    return try #require(object, "python: \(run.stdout) \(run.stderr)")
}

/// A python TLS server on a free port (the PKI's localhost leaf) that runs `afterHandshake`
/// with `s` (the TLS socket) and `raw` (the TCP socket under it), then prints its JSON `result`.
private func pythonTLSServer(_ pki: TestPKI, _ afterHandshake: String) throws -> (BackgroundProcess, Int) {
    let port = try freeTCPPort()
    let script = """
        import socket, ssl, json, time, sys
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain("\(pki.path("chain.pem"))", "\(pki.path("leaf.key"))")
        listener = socket.create_server(("127.0.0.1", \(port)))
        print("ready", flush=True)
        raw, _ = listener.accept()
        s = context.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
        result = {}
        \(afterHandshake.split(separator: "\n").joined(separator: "\n"))
        print(json.dumps(result), flush=True)
        time.sleep(10)
        """
    let server = try BackgroundProcess("/usr/bin/python3", ["-c", script])
    // Ready once listening: a test connection would be the one connection it accepts.
    try #require(server.wait(upTo: 5) { $0.stdoutText.contains("ready") }, "\(server.stderrText)")
    return (server, port)
}

/// How a TLS connection ends, on both sides: NIOSSL alone waited 5 s for the peer's close_notify
/// after sending its own, even once the peer's close_notify or FIN was in.
@Suite("TLS closes: close_notify then FIN, in milliseconds; aborts at once", .serialized, .timeLimit(.minutes(2)))
struct TLSCloseTests {
    @Test("file-server after a Connection: close request: close_notify, then its FIN at once (python checks both); curl leaves no CLOSE_WAIT")
    func serverClosesAtOnce() throws {
        let folder = try ServedFolder()
        let pem = folder.path + "/../" + UUID().uuidString + ".pem"
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let (server, port) = try startFileServer(folder, ["--tls-self-signed", "--tls-cert-out", pem])
        defer { server.signal(SIGTERM) }
        // recv() returns b"" on close_notify (a FIN without it raises SSLEOFError); unwrap() sends
        // ours and checks theirs; the plain recv() then waits for the server's FIN.
        let seen = try python("""
            import socket, ssl, json, time
            context = ssl.create_default_context(cafile="\(pem)")
            raw = socket.create_connection(("127.0.0.1", \(port)))
            s = context.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
            s.sendall(b"GET /a.txt HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
            data, notify = b"", True
            try:
                while chunk := s.recv(65536):
                    data += chunk
            except ssl.SSLEOFError:
                notify = False
            answered = time.monotonic()
            plain = s.unwrap() if notify else raw
            fin = plain.recv(1) == b""
            print(json.dumps({"ok": b"hello file" in data, "close_notify": notify, "fin": fin, "seconds": time.monotonic() - answered}))
            """)
        #expect(seen["ok"] as? Bool == true && seen["close_notify"] as? Bool == true && seen["fin"] as? Bool == true, "\(seen)")
        #expect((seen["seconds"] as? Double ?? 99) < 1, "the server's FIN came \(seen["seconds"] ?? "?") s after close_notify")

        let ss = try peer("ss", package: "iproute2")
        // curl does not always read the server's close_notify before it closes (its close is then
        // a reset, and no CLOSE_WAIT follows): ten requests, so some do.
        for _ in 0..<10 {
            let fetched = try curl(["--cacert", pem, "-H", "Connection: close", "https://localhost:\(port)/a.txt"])
            #expect(fetched.code == 200)
        }
        func closeWait() -> [Substring] {
            let sockets = (try? Run.program(ss, ["-Htan"]).stdout) ?? ""
            return sockets.split(separator: "\n").filter { $0.hasPrefix("CLOSE-WAIT") && $0.contains(":\(port) ") }
        }
        let (drained, seconds) = timed { server.wait(upTo: 4) { _ in closeWait().isEmpty } }
        #expect(drained && seconds < 1, "curl's connections still in CLOSE_WAIT on the server after \(seconds) s: \(closeWait())")
    }

    @Test("download: a complete transfer ends with close_notify then FIN and does not wait for a server that keeps its side open")
    func downloadOrderlyClose() throws {
        let pki = try TestPKI()
        let (server, port) = try pythonTLSServer(pki, """
            request = b""
            while b"\\r\\n\\r\\n" not in request:
                request += s.recv(4096)
            s.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello")
            try:
                result["close_notify"] = s.recv(100) == b""
            except ssl.SSLEOFError:
                result["close_notify"] = False
            result["fin"] = socket.socket.recv(s, 1) == b""
            """)
        defer { server.signal(SIGKILL) }
        let saved = pki.path("hello.txt")
        let (run, seconds) = try timed { try Run.nettool(["download", "https://localhost:\(port)/x", "-o", saved, "--cacert", pki.path("ca.pem")]) }
        #expect(run.status == 0 && FileManager.default.contents(atPath: saved) == Data("hello".utf8), "\(run.stderr)")
        #expect(seconds < 1, "download took \(seconds) s")
        #expect(server.wait(upTo: 3) { $0.stdoutText.contains("\"close_notify\": true, \"fin\": true") }, "\(server.stdoutText) \(server.stderrText)")
    }

    @Test("download --max-size gives up at once over TLS: a Content-Length over it (file-server), and a body that grows past it (s_server)")
    func downloadMaxSizeAborts() throws {
        let folder = try ServedFolder()
        let pem = folder.path + "/../" + UUID().uuidString + ".pem"
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let (server, port) = try startFileServer(folder, ["--tls-self-signed", "--tls-cert-out", pem])
        defer { server.signal(SIGTERM) }
        let (announced, seconds) = try timed {
            try Run.nettool(["download", "https://localhost:\(port)/big.bin", "-o", folder.path + "/never.bin", "--cacert", pem, "--max-size", "1000"])
        }
        #expect(announced.status != 0 && announced.stderr.contains("--max-size"), "\(announced.status) \(announced.stderr)")
        #expect(seconds < 1, "--max-size against file-server took \(seconds) s")

        let pki = try TestPKI()
        try Data(count: 200_000).write(to: URL(fileURLWithPath: pki.path("zeros.bin")))
        let (sServer, sPort) = try openSSLServer(cert: pki.path("leaf.pem"), key: pki.path("leaf.key"), chain: pki.path("intermediate.pem"), www: pki.dir)
        defer { sServer.signal(SIGKILL) }
        let (grown, grownSeconds) = try timed {
            try Run.nettool(["download", "https://localhost:\(sPort)/zeros.bin", "-o", pki.path("never.bin"), "--cacert", pki.path("ca.pem"), "--max-size", "1000"])
        }
        #expect(grown.status != 0, "\(grown.stderr)")
        #expect(grownSeconds < 1, "--max-size against s_server took \(grownSeconds) s")
    }

    @Test("tcp-echo-client --tls --reset aborts at once; against a TLS peer that never echoes, --timeout 3s ends near 3 s")
    func echoClientAborts() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--bind", "127.0.0.1", "--tls-self-signed"])
        defer { server.signal(SIGKILL) }
        let port = try #require(server.listeningPort(), "\(server.stderrText)")
        let (reset, seconds) = try timed { try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "hello", "--tls", "--insecure", "--reset"]) }
        #expect(reset.status == 0 && (reset.stdout + reset.stderr).contains("reset (RST)"), "\(reset.status) \(reset.stdout) \(reset.stderr)")
        #expect(seconds < 1, "--reset took \(seconds) s")

        let pki = try TestPKI()
        let (stalled, stalledPort) = try pythonTLSServer(pki, "result['read'] = len(s.recv(100))")
        defer { stalled.signal(SIGKILL) }
        let (timedOut, timeoutSeconds) = try timed {
            try Run.nettool(["tcp-echo-client", "localhost", "\(stalledPort)", "hello", "--tls", "--cacert", pki.path("ca.pem"), "--timeout", "3s"])
        }
        #expect(timedOut.status != 0, "\(timedOut.stderr)")
        #expect(timeoutSeconds > 2.9 && timeoutSeconds < 3.8, "--timeout 3s took \(timeoutSeconds) s")
    }

    @Test("every TLS server cuts a client that does not complete its handshake at --tls-handshake-timeout: silent, or half a ClientHello")
    func handshakeDeadline() throws {
        let folder = try ServedFolder()
        let servers = [try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--bind", "127.0.0.1", "--tls-self-signed", "--tls-handshake-timeout", "1s"]),
                       try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--port", "0", "--bind", "127.0.0.1",
                                                      "--tls-self-signed", "--tls-handshake-timeout", "1s"])]
        defer { servers.forEach { $0.signal(SIGKILL) } }
        // A handshake record header that announces 512 bytes, and the first 20 of them.
        let halfHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + [UInt8](repeating: 7, count: 14)
        for server in servers {
            let port = try #require(server.listeningPort(), "\(server.stderrText)")
            let silent = try RawTCPClient(port: port)
            let half = try RawTCPClient(port: port)
            half.send(halfHello)
            let (closed, seconds) = timed { silent.peerClosed(within: 4) && half.peerClosed(within: 4) }
            #expect(closed && seconds > 0.8 && seconds < 2.5, "closed: \(closed) after \(seconds) s: \(server.stderrText)")
            #expect(server.wait(upTo: 2) { $0.stderrText.contains("did not complete its handshake") }, "\(server.stderrText)")
        }
        let bad = try Run.nettool(["tcp-echo-server", "--port", "0", "--tls-self-signed", "--tls-handshake-timeout", "0s"])
        #expect(bad.status != 0 && bad.stderr.contains("--tls-handshake-timeout must be longer than 0"), "\(bad.stderr)")
    }
}

/// The key log holds every secret of the connections it logs: never written through a link, never
/// a file others may read.
@Suite("TLS key log: no symbolic links, no readable files, an empty SSLKEYLOGFILE is unset", .serialized, .timeLimit(.minutes(2)))
struct KeyLogSafetyTests {
    @Test("--keylog and SSLKEYLOGFILE refuse a link (its target untouched), a dangling link (nothing created), a 0644 file; SSLKEYLOGFILE= is unset")
    func refusals() throws {
        let folder = try ServedFolder()
        let pem = folder.path + "/../" + UUID().uuidString + ".pem"
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let (server, port) = try startFileServer(folder, ["--tls-self-signed", "--tls-cert-out", pem])
        defer { server.signal(SIGTERM) }
        let dir = folder.path + "/keys"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let victim = dir + "/victim.txt"
        try Data("victim\n".utf8).write(to: URL(fileURLWithPath: victim))
        chmod(victim, 0o644)
        symlink(victim, dir + "/link.txt")
        symlink(dir + "/nowhere.txt", dir + "/dangling.txt")
        let url = "https://localhost:\(port)/a.txt"
        func download(_ extra: [String], env: [String] = []) throws -> Run {
            try Run.program("/usr/bin/env", env + [Run.binary, "download", url, "-o", dir + "/got-\(UUID().uuidString)", "--cacert", pem] + extra)
        }
        for (name, run) in [("--keylog link", try download(["--keylog", dir + "/link.txt"])),
                            ("SSLKEYLOGFILE=link", try download([], env: ["SSLKEYLOGFILE=\(dir)/link.txt"]))] {
            #expect(run.status == 1 && run.stderr.contains("link.txt: it is a symbolic link"), "\(name): \(run.status) \(run.stderr)")
        }
        #expect(FileManager.default.contents(atPath: victim) == Data("victim\n".utf8))
        let dangling = try download(["--keylog", dir + "/dangling.txt"])
        #expect(dangling.status == 1 && dangling.stderr.contains("symbolic link"), "\(dangling.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nowhere.txt"))
        let readable = try download(["--keylog", victim])
        #expect(readable.status == 1 && readable.stderr.contains("others may read or write it (mode 644)"), "\(readable.stderr)")
        #expect(FileManager.default.contents(atPath: victim) == Data("victim\n".utf8))

        let unset = try download([], env: ["SSLKEYLOGFILE="])
        #expect(unset.status == 0 && !unset.stderr.contains("cannot use"), "\(unset.stderr)")
        let fresh = dir + "/fresh.keys"
        let made = try download(["--keylog", fresh])
        var status = stat()
        #expect(made.status == 0 && stat(fresh, &status) == 0 && status.st_mode & 0o777 == 0o600, "\(made.stderr)")
        #expect(((try? String(contentsOfFile: fresh, encoding: .utf8)) ?? "").contains("CLIENT_TRAFFIC_SECRET_0 "))
        let again = try download(["--keylog", fresh])
        #expect(again.status == 0, "a 0600 key log of this user's is appended to: \(again.stderr)")
        let empty = try Run.nettool(["download", url, "--keylog", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--keylog needs a file name"), "\(empty.stderr)")
    }
}
