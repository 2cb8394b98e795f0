import Foundation
import Testing

/// Lines of `text` that start with `forged`: what a line feed from the network would make.
private func forgedLines(_ text: String, _ forged: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.hasPrefix(forged) }
}

/// A TLS peer in python's ssl module, on 127.0.0.1 (its port on the first line of stdout), for
/// `connections` connections. `http`: answers any request with a head announcing 1,000 bytes,
/// sends 100 and closes; `drop`: reads all the client sends (up to its close_notify) and closes. Either way it closes the TCP
/// connection without TLS's close_notify (python's close() never sends one).
private func pythonTLSPeer(_ mode: String, cert: String, key: String, connections: Int = 1) throws -> (BackgroundProcess, Int) {
    let script = """
        import socket, ssl, sys
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[1], sys.argv[2])
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(20)
        print(listener.getsockname()[1], flush=True)
        for _ in range(int(sys.argv[4])):
            raw, _ = listener.accept()
            try:
                conn = ctx.wrap_socket(raw, server_side=True)
                if sys.argv[3] == "http":
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 1000\\r\\n\\r\\n" + b"x" * 100)
                else:
                    while conn.recv(65536):
                        pass
                conn.close()
            except Exception:
                raw.close()
        """
    let process = try BackgroundProcess(try peer("python3", package: "python3"), ["-c", script, cert, key, mode, "\(connections)"])
    try #require(process.wait(upTo: 5) { !$0.stdoutText.isEmpty }, "python TLS peer did not start: \(process.stderrText)")
    let port = try #require(Int(process.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
    return (process, port)
}

/// Sends `bytes` to 127.0.0.1:`port` and half-closes, then waits for the server to close.
private func sendRaw(_ bytes: [UInt8], to port: Int) throws {
    let client = try RawTCPClient(port: port)
    client.send(bytes)
    client.shutdownWrite()
    _ = client.receive(for: 2)
}

@Suite("TLS failures: no raw line feed from the peer, one sentence and the table's status",
       .serialized, .timeLimit(.minutes(3)))
struct FailureReportTests {
    // MARK: item 4: a line feed from the network never starts a line

    @Test("SNI and ALPN with a line feed or a TAB are shown escaped in file-server --explain")
    func forgedSNI() throws {
        let folder = try ServedFolder()
        let server = try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "0",
                                                    "--tls-self-signed", "--explain"])
        defer { server.signal(SIGKILL) }
        let port = try #require(server.listeningPort(), "file-server did not start: \(server.stderrText)")
        let forged = "127.0.0.1:1 GET /etc/shadow 200 999 bytes 1 ms"
        _ = try Run.program(try peer("openssl", package: "openssl"),
                            ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "evil\n" + forged, "-alpn", "x\ny,a\tb"])
        #expect(server.wait(upTo: 5) { $0.stderrText.contains("ALPN") }, "\(server.stderrText)")
        let log = server.stderrText
        #expect(forgedLines(log, forged).isEmpty, "a forged line: \(log)")
        #expect(forgedLines(log, "y").isEmpty && !log.contains("\t"), "ALPN or a TAB raw: \(log.debugDescription)")
        #expect(log.contains("SNI evil\\n127.0.0.1:1 GET") && log.contains("ALPN x\\ny, a\\tb"), "\(log)")
    }

    @Test("a certificate with a line feed in its CN and SAN: escaped in the refusal and the certificate lines", arguments: [false, true])
    func forgedCertificate(explain: Bool) throws {
        let folder = NSTemporaryDirectory() + "nettool-evil-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // openssl's config syntax turns \n and \t in -addext into the bytes themselves.
        let made = try Run.program(try peer("openssl", package: "openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", folder + "/evil.key",
            "-out", folder + "/evil.pem", "-days", "3", "-subj", "/CN=evil\n127.0.0.1:1 FORGED CN",
            "-addext", "subjectAltName=DNS:evil\\n127.0.0.1:1 FORGED SAN\\ttab\\there"])
        try #require(made.status == 0, "\(made.stderr)")
        let (server, port) = try openSSLServer(cert: folder + "/evil.pem", key: folder + "/evil.key", www: folder)
        defer { server.signal(SIGKILL) }
        let flags = explain ? ["--explain"] : []
        // Trusted, but not for 127.0.0.1: the refusal names what the certificate holds.
        let mismatch = try Run.nettool(["download", "https://127.0.0.1:\(port)/evil.pem", "-o", folder + "/out", "--retries", "0",
                                        "--cacert", folder + "/evil.pem"] + flags)
        // Not trusted: the refusal names its subject.
        let untrusted = try Run.nettool(["tcp-echo-client", "--tls", "127.0.0.1", "\(port)", "hi"] + flags)
        for run in [mismatch, untrusted] {
            #expect(run.status == 8, "\(run.stderr)")
            #expect(forgedLines(run.stderr, "127.0.0.1:1 FORGED").isEmpty && !run.stderr.contains("\t"), "\(run.stderr.debugDescription)")
        }
        #expect(mismatch.stderr.contains("it names evil\\n127.0.0.1:1 FORGED SAN") && mismatch.stderr.contains("tab\\there"), "\(mismatch.stderr)")
        #expect(untrusted.stderr.contains("evil\\n127.0.0.1:1 FORGED CN"), "\(untrusted.stderr)")
    }

    // MARK: item 5: TLS failures as the sentences and statuses plain TCP gets

    @Test("download: a FIN without close_notify mid-body is a closed-early sentence, exit 7, and retried")
    func uncleanShutdownMidBody() throws {
        let pki = try TestPKI()
        let (peerProcess, port) = try pythonTLSPeer("http", cert: pki.path("chain.pem"), key: pki.path("leaf.key"), connections: 2)
        defer { peerProcess.signal(SIGKILL) }
        let run = try Run.nettool(["download", "https://localhost:\(port)/x", "-o", pki.path("x"), "--cacert", pki.path("ca.pem"),
                                   "--retries", "1", "--retry-delay", "100ms"])
        #expect(run.status == 7, "\(run.stderr)")
        #expect(run.stderr.contains("closed the connection after 100 of 1,000 bytes") && !run.stderr.contains("uncleanShutdown"), "\(run.stderr)")
        #expect(run.stderr.contains("retrying in 100ms (attempt 2 of 2)"), "\(run.stderr)")
    }

    @Test("tcp-echo-client --tls: a peer that drops the connection is 'closed after echoing 0 of 5 bytes', exit 7")
    func tlsEchoDropped() throws {
        let pki = try TestPKI()
        let (peerProcess, port) = try pythonTLSPeer("drop", cert: pki.path("chain.pem"), key: pki.path("leaf.key"))
        defer { peerProcess.signal(SIGKILL) }
        let run = try Run.nettool(["tcp-echo-client", "--tls", "--cacert", pki.path("ca.pem"), "localhost", "\(port)", "hello"])
        #expect(run.status == 7, "\(run.stderr)")
        #expect(run.stderr.contains("closed the connection after echoing 0 of 5 bytes"), "\(run.stderr)")
    }

    @Test("a connect timeout over TLS is 'no answer within', exit 5, and download retries it")
    func tlsConnectTimeout() throws {
        // With backlog 0 the accept queue holds one connection; once it is taken, the kernel
        // drops further SYNs.
        let listener = try LoopbackListener(backlog: 0)
        let held = try RawTCPClient(port: Int(listener.port))
        _ = held
        let echo = try Run.nettool(["tcp-echo-client", "--tls", "--insecure", "127.0.0.1", "\(listener.port)", "x", "--connect-timeout", "500ms"])
        #expect(echo.status == 5, "\(echo.stderr)")
        #expect(echo.stderr.contains("no answer from 127.0.0.1:\(listener.port) within 500ms"), "\(echo.stderr)")
        let download = try Run.nettool(["download", "https://127.0.0.1:\(listener.port)/x", "-o", NSTemporaryDirectory() + "nettool-never",
                                        "--insecure", "--connect-timeout", "300ms", "--retries", "1", "--retry-delay", "50ms"])
        #expect(download.status == 5, "\(download.stderr)")
        #expect(download.stderr.contains("retrying in 50ms (attempt 2 of 2)") && download.stderr.contains("within 300ms"), "\(download.stderr)")
    }

    @Test("a TLS client against a plain echo server: one sentence, exit 8, no BoringSSL text")
    func tlsAgainstPlainEcho() throws {
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0"])
        defer { server.signal(SIGKILL) }
        let port = try #require(server.listeningPort())
        let run = try Run.nettool(["tcp-echo-client", "--tls", "--insecure", "127.0.0.1", "\(port)", "hello"])
        #expect(run.status == 8, "\(run.stderr)")
        #expect(run.stderr.contains("own ClientHello back"), "\(run.stderr)")
        #expect(!run.stderr.contains("UNEXPECTED") && !run.stderr.contains(".cc") && !run.stderr.contains("Error:"), "\(run.stderr)")
    }

    @Test("file-server --tls logs what clients broke in words: a cut hello, an application-data record, a refused certificate")
    func serverLogsInWords() throws {
        let folder = try ServedFolder()
        let server = try BackgroundProcess.nettool(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "0", "--tls-self-signed"])
        defer { server.signal(SIGKILL) }
        let port = try #require(server.listeningPort(), "file-server did not start: \(server.stderrText)")
        // Half a ClientHello, then FIN.
        try sendRaw([0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3C, 0x03, 0x03], to: port)
        #expect(server.wait(upTo: 3) { $0.stderrText.contains("the client closed the connection during the handshake") }, "\(server.stderrText)")
        // An application-data record first: TLS framing, but no handshake.
        try sendRaw([0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5], to: port)
        #expect(server.wait(upTo: 3) { $0.stderrText.contains("a TLS application-data record before any handshake") }, "\(server.stderrText)")
        // A handshake message announced as 16 MB: over BoringSSL's limit (EXCESSIVE_MESSAGE_SIZE).
        try sendRaw([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xFF, 0xFF, 0xFF], to: port)
        #expect(server.wait(upTo: 3) { $0.stderrText.contains("a handshake message larger than TLS accepts") }, "\(server.stderrText)")
        // curl does not trust the self-signed certificate and says so with an alert (in TLS 1.3
        // unencrypted, which the library cannot read: BAD_PACKET_LENGTH).
        _ = try Run.program(try peer("curl", package: "curl"), ["-s", "https://127.0.0.1:\(port)/a.txt"])
        #expect(server.wait(upTo: 3) { $0.stderrText.contains("the client sent the alert unknown_ca (the client refused this server's certificate") }, "\(server.stderrText)")
        let log = server.stderrText
        #expect(!log.contains("plain text") && !log.contains("EOF during") && !log.contains("_ALERT_") && !log.contains("EXCESSIVE")
                && !log.contains(".cc:"), "\(log)")
    }

    @Test("--tls-cert-out pointing at a folder: a sentence, exit 1")
    func certificateOutIsFolder() throws {
        let folder = try ServedFolder()
        let run = try Run.nettool(["file-server", "--root", folder.path, "--port", "0", "--tls-self-signed", "--tls-cert-out", folder.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot use \(folder.path): it is a folder") && !run.stderr.contains("NSCocoaErrorDomain"), "\(run.stderr)")
    }
}
