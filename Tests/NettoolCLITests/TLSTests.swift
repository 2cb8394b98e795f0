import Foundation
import Testing

/// Certificates made by the openssl CLI for one test: a root CA, an intermediate, an RSA leaf
/// for localhost/127.0.0.1 signed by the intermediate (served with its chain), and the broken
/// ones each verification failure needs: expired and not-yet-valid (signed by the root with
/// `openssl ca -startdate/-enddate`), a wrong name, an unknown CA, a self-signed one.
final class TestPKI {
    let dir: String
    private let openssl: String

    init() throws {
        openssl = try peer("openssl", package: "openssl")
        dir = NSTemporaryDirectory() + "nettool-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/newcerts", withIntermediateDirectories: true)
        try "".write(toFile: dir + "/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: dir + "/serial", atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = testca
            [testca]
            dir = \(dir)
            database = \(dir)/index.txt
            new_certs_dir = \(dir)/newcerts
            serial = \(dir)/serial
            default_md = sha256
            default_days = 30
            policy = anything
            unique_subject = no
            [anything]
            commonName = supplied
            [leaf]
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            [intermediate]
            basicConstraints = critical, CA:TRUE, pathlen:0
            keyUsage = critical, keyCertSign, cRLSign
            """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
        try ssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
                 "-out", path("ca.pem"), "-days", "30", "-subj", "/CN=nettool test root",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try sign("intermediate", subject: "/CN=nettool test intermediate", extensions: "intermediate", issuer: "ca")
        try sign("leaf", subject: "/CN=localhost", extensions: "leaf", issuer: "intermediate", rsa: true)
        try (String(contentsOfFile: path("leaf.pem"), encoding: .utf8) + String(contentsOfFile: path("intermediate.pem"), encoding: .utf8))
            .write(toFile: path("chain.pem"), atomically: true, encoding: .utf8)
        try sign("expired", subject: "/CN=localhost", extensions: "leaf", issuer: "ca", dates: ("20200101000000Z", "20200201000000Z"))
        try sign("future", subject: "/CN=localhost", extensions: "leaf", issuer: "ca", dates: ("20990101000000Z", "20990201000000Z"))
        try ssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("other-ca.key"),
                 "-out", path("other-ca.pem"), "-days", "30", "-subj", "/CN=someone else's root",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try sign("stranger", subject: "/CN=localhost", extensions: "leaf", issuer: "other-ca")
        try ssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("self.key"),
                 "-out", path("self.pem"), "-days", "30", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        try ssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("wrongname.key"),
                 "-out", path("wrongname.csr"), "-subj", "/CN=other.example"])
        try """
            basicConstraints = CA:FALSE
            subjectAltName = DNS:other.example
            """.write(toFile: path("wrongname.ext"), atomically: true, encoding: .utf8)
        try ssl(["x509", "-req", "-in", path("wrongname.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                 "-days", "30", "-extfile", path("wrongname.ext"), "-out", path("wrongname.pem")])
    }

    func path(_ name: String) -> String { dir + "/" + name }

    private func sign(_ name: String, subject: String, extensions: String, issuer: String, rsa: Bool = false,
                      dates: (String, String)? = nil) throws {
        let key = rsa ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        try ssl(["req"] + key + ["-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
        var arguments = ["ca", "-batch", "-notext", "-config", path("ca.cnf"), "-keyfile", path("\(issuer).key"), "-cert", path("\(issuer).pem"),
                         "-in", path("\(name).csr"), "-out", path("\(name).pem"), "-extensions", extensions]
        if let (start, end) = dates { arguments += ["-startdate", start, "-enddate", end] }
        try ssl(arguments)
    }

    private func ssl(_ arguments: [String]) throws {
        let run = try Run.program(openssl, arguments)
        try #require(run.status == 0, "openssl \(arguments.joined(separator: " ")): \(run.stderr)")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }
}

/// `openssl s_server` on 127.0.0.1 with the given certificate; `-WWW` serves files from `folder`
/// as HTTP/1.0 with no Content-Length (the body ends at close).
func openSSLServer(cert: String, key: String, chain: String? = nil, www folder: String? = nil, extra: [String] = []) throws -> (BackgroundProcess, Int) {
    let port = try freeTCPPort()
    var arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-naccept", "5"] + extra
    if let chain { arguments += ["-cert_chain", chain] }
    if folder != nil { arguments.append("-WWW") }
    let process = try BackgroundProcess(try peer("openssl", package: "openssl"), arguments, directory: folder)
    try #require(process.wait(upTo: 5) { _ in canConnect(port: port) }, "openssl s_server did not start: \(process.stderrText)")
    return (process, port)
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    return withLoopbackAddress(port: port) { connect(fd, $0, $1) } == 0
}

@Suite("TLS against real peers: curl, openssl, socat, python ssl, tshark", .serialized, .timeLimit(.minutes(2)))
struct TLSTests {
    @Test("file-server --tls-cert (RSA leaf + intermediate) to curl --cacert: whole file, a range, a resume; download verifies the chain")
    func fileServerWithChain() throws {
        let pki = try TestPKI()
        let folder = try ServedFolder()
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try content.write(to: URL(fileURLWithPath: folder.path + "/big.bin"))
        let (server, port) = try startFileServer(folder, ["--tls-cert", pki.path("chain.pem"), "--tls-key", pki.path("leaf.key")])
        defer { server.signal(SIGTERM) }
        let url = "https://localhost:\(port)/big.bin"

        let whole = try curl(["--cacert", pki.path("ca.pem"), url])
        #expect(whole.status == 0 && whole.code == 200 && whole.body == content, "curl: \(whole.status) \(whole.code)")
        let range = try curl(["--cacert", pki.path("ca.pem"), "-r", "100-199", url])
        #expect(range.code == 206 && range.body == content[100..<200])

        let partial = folder.path + "/partial.bin"
        try content.prefix(120_000).write(to: URL(fileURLWithPath: partial))
        let resumed = try Run.program(try peer("curl", package: "curl"), ["-sS", "--cacert", pki.path("ca.pem"), "-C", "-", "-o", partial, url])
        #expect(resumed.status == 0 && FileManager.default.contents(atPath: partial) == content, "\(resumed.stderr)")

        let saved = folder.path + "/saved.bin"
        let download = try Run.nettool(["download", url, "-o", saved, "--cacert", pki.path("ca.pem")])
        #expect(download.status == 0 && FileManager.default.contents(atPath: saved) == content, "\(download.stderr)")
        // By address: the certificate's IP SAN is checked, and nothing is sent as SNI.
        let byAddress = try Run.nettool(["download", "https://127.0.0.1:\(port)/big.bin", "-o", saved + "2", "--cacert", pki.path("ca.pem"), "--explain"])
        #expect(byAddress.status == 0 && byAddress.stderr.contains("SNI (none"), "\(byAddress.stderr)")
    }

    @Test("--tls-self-signed: curl trusts the certificate it wrote, and the printed fingerprint is openssl's")
    func selfSigned() throws {
        let folder = try ServedFolder()
        try Data("hello over tls\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/a.txt"))
        let pem = folder.path + "/../" + UUID().uuidString + ".pem"
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let (server, port) = try startFileServer(folder, ["--tls-self-signed", "--tls-cert-out", pem])
        defer { server.signal(SIGTERM) }
        let fetched = try curl(["--cacert", pem, "https://localhost:\(port)/a.txt"])
        #expect(fetched.code == 200 && fetched.body == Data("hello over tls\n".utf8))
        let fingerprint = try Run.program(try peer("openssl", package: "openssl"), ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"])
        let value = try #require(fingerprint.stdout.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(value.count == 95 && server.stderrText.contains("SHA-256 \(value)"), "\(value) not in \(server.stderrText)")
        // Plain HTTP on the TLS port: a sentence in the log, and no hang.
        let plain = try curl(["--max-time", "5", "http://127.0.0.1:\(port)/a.txt"])
        #expect(plain.status != 0 && plain.status != 28)
        #expect(server.wait(upTo: 3) { $0.stderrText.contains("sent plain text, not TLS") }, "\(server.stderrText)")
    }

    @Test("each refused certificate is one sentence and exit 8; --insecure gets through and says so", arguments: [
        ("expired", "expired on 2020-02-01"), ("future", "is not valid until 2099-01-01"), ("wrongname", "is not for localhost: it names other.example"),
        ("stranger", "signed by CN=someone else's root, which is not a trusted root"), ("self", "is self-signed"),
    ])
    func refusals(name: String, sentence: String) throws {
        let pki = try TestPKI()
        let (server, port) = try openSSLServer(cert: pki.path("\(name).pem"), key: pki.path("\(name).key"), www: pki.dir)
        defer { server.signal(SIGKILL) }
        let url = "https://localhost:\(port)/ca.pem"
        let out = pki.path("out-\(name)")
        let refused = try Run.nettool(["download", url, "-o", out, "--cacert", pki.path("ca.pem"), "--retries", "0"])
        #expect(refused.status == 8 && refused.stderr.contains(sentence), "\(refused.status): \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let insecure = try Run.nettool(["download", url, "-o", out, "--insecure"])
        #expect(insecure.status == 0 && insecure.stderr.contains("--insecure: the server's certificate is NOT verified"), "\(insecure.stderr)")
        #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: pki.path("ca.pem")))
    }

    @Test("files that cannot serve as TLS: a missing key, a key of another certificate, a --cacert without certificates (exit 1)")
    func badFiles() throws {
        let pki = try TestPKI()
        let missing = try Run.nettool(["file-server", "--root", pki.dir, "--port", "0", "--tls-cert", pki.path("leaf.pem"), "--tls-key", pki.path("nope.key")])
        #expect(missing.status == 1 && missing.stderr.contains("cannot use \(pki.path("nope.key")): No such file or directory"), "\(missing.stderr)")
        let mismatched = try Run.nettool(["tcp-echo-server", "--port", "0", "--tls-cert", pki.path("leaf.pem"), "--tls-key", pki.path("self.key")])
        #expect(mismatched.status == 1 && mismatched.stderr.contains("does the key belong to the certificate?"), "\(mismatched.stderr)")
        let noRoots = try Run.nettool(["download", "https://localhost:1/x", "--cacert", pki.path("ca.cnf")])
        #expect(noRoots.status == 1 && noRoots.stderr.contains("it holds no PEM certificate"), "\(noRoots.stderr)")
    }

    @Test("a server that speaks only TLS 1.1: its protocol_version alert is the sentence, exit 8")
    func oldProtocol() throws {
        let pki = try TestPKI()
        let (server, port) = try openSSLServer(cert: pki.path("self.pem"), key: pki.path("self.key"), www: pki.dir,
                                               extra: ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        defer { server.signal(SIGKILL) }
        let old = try Run.nettool(["download", "https://localhost:\(port)/ca.pem", "-o", pki.path("old.pem"), "--insecure", "--retries", "0"])
        #expect(old.status == 8 && old.stderr.contains("the server sent the alert protocol_version"), "\(old.stderr)")
    }

    @Test("a server whose only cipher suite nettool does not offer: its handshake_failure alert is the sentence, exit 8")
    func cipherMismatch() throws {
        let pki = try TestPKI()
        // Camellia: OpenSSL still speaks it; BoringSSL, like the browsers, never offers it.
        let (server, port) = try openSSLServer(cert: pki.path("self.pem"), key: pki.path("self.key"), www: pki.dir,
                                               extra: ["-tls1_2", "-cipher", "ECDHE-ECDSA-CAMELLIA256-SHA384"])
        defer { server.signal(SIGKILL) }
        for arguments in [["download", "https://localhost:\(port)/ca.pem", "-o", pki.path("never.pem"), "--insecure", "--retries", "0"],
                          ["tcp-echo-client", "localhost", "\(port)", "hi", "--tls", "--cacert", pki.path("self.pem")]] {
            let run = try Run.nettool(arguments)
            #expect(run.status == 8 && run.stderr.contains("the server sent the alert handshake_failure (no cipher suite or parameters both sides accept"),
                    "\(arguments[0]): \(run.stderr)")
        }
        #expect(server.stderrText.contains("no shared cipher"), "\(server.stderrText)")
    }

    @Test("download from openssl s_server -WWW (HTTP/1.0, no Content-Length) and from python's http.server in ssl")
    func foreignServers() throws {
        let pki = try TestPKI()
        let (server, port) = try openSSLServer(cert: pki.path("leaf.pem"), key: pki.path("leaf.key"), chain: pki.path("intermediate.pem"), www: pki.dir)
        defer { server.signal(SIGKILL) }
        let saved = pki.path("from-s_server.pem")
        let fromOpenSSL = try Run.nettool(["download", "https://localhost:\(port)/ca.pem", "-o", saved, "--cacert", pki.path("ca.pem"), "--explain"])
        #expect(fromOpenSSL.status == 0, "\(fromOpenSSL.stderr)")
        #expect(FileManager.default.contents(atPath: saved) == FileManager.default.contents(atPath: pki.path("ca.pem")))
        #expect(fromOpenSSL.stderr.contains("cannot be resumed"), "\(fromOpenSSL.stderr)")

        let pythonPort = try freeTCPPort()
        let script = """
            import http.server, ssl, functools
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="\(pki.dir)")
            server = http.server.HTTPServer(("127.0.0.1", \(pythonPort)), handler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain("\(pki.path("chain.pem"))", "\(pki.path("leaf.key"))")
            server.socket = context.wrap_socket(server.socket, server_side=True)
            server.serve_forever()
            """
        let python = try BackgroundProcess("/usr/bin/python3", ["-c", script])
        defer { python.signal(SIGKILL) }
        try #require(python.wait(upTo: 5) { _ in canConnect(port: pythonPort) }, "\(python.stderrText)")
        let fromPython = try Run.nettool(["download", "https://localhost:\(pythonPort)/chain.pem", "-o", pki.path("from-python.pem"),
                                          "--cacert", pki.path("ca.pem")])
        #expect(fromPython.status == 0, "\(fromPython.stderr)")
        #expect(FileManager.default.contents(atPath: pki.path("from-python.pem")) == FileManager.default.contents(atPath: pki.path("chain.pem")))
    }

    @Test("download from nginx with TLS (started by the test, chain with an intermediate); an https to http redirect is refused")
    func nginxAndDowngrade() throws {
        let nginx = try peer("nginx", package: "nginx")
        let pki = try TestPKI()
        let content = Data((0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try FileManager.default.createDirectory(atPath: pki.path("www"), withIntermediateDirectories: true)
        try content.write(to: URL(fileURLWithPath: pki.path("www/big.bin")))
        let port = try freeTCPPort(), plainPort = try freeTCPPort()
        try """
            daemon off;
            pid \(pki.path("nginx.pid"));
            error_log \(pki.path("nginx-error.log"));
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(pki.dir); proxy_temp_path \(pki.dir); fastcgi_temp_path \(pki.dir);
                uwsgi_temp_path \(pki.dir); scgi_temp_path \(pki.dir);
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(pki.path("chain.pem"));
                    ssl_certificate_key \(pki.path("leaf.key"));
                    root \(pki.path("www"));
                    location = /elsewhere { return 302 http://127.0.0.1:\(plainPort)/big.bin; }
                }
            }
            """.write(toFile: pki.path("nginx.conf"), atomically: true, encoding: .utf8)
        let server = try BackgroundProcess(nginx, ["-c", pki.path("nginx.conf"), "-p", pki.dir, "-e", pki.path("nginx-error.log")])
        // SIGTERM: the master stops its worker and waits for it (a SIGKILLed master would leave the
        // worker running, or a zombie no one reaps).
        defer {
            server.signal(SIGTERM)
            _ = server.waitForExit()
        }
        try #require(server.wait(upTo: 5) { _ in canConnect(port: port) }, "nginx did not start: \(server.stderrText)")

        let saved = pki.path("from-nginx.bin")
        let first = try Run.nettool(["download", "https://localhost:\(port)/big.bin", "-o", saved, "--cacert", pki.path("ca.pem")])
        #expect(first.status == 0 && FileManager.default.contents(atPath: saved) == content, "\(first.stderr)")

        // A whole part left unrenamed (as by a crash before the rename): -c asks for the rest, nginx
        // answers 416 with an HTML error page, and the part, already complete, is checked and kept.
        let head = try Run.program(try peer("curl", package: "curl"), ["-sI", "--cacert", pki.path("ca.pem"), "https://localhost:\(port)/big.bin"])
        let etag = try #require(head.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }?.dropFirst(5)
            .trimmingCharacters(in: .whitespaces), "\(head.stdout)")
        let whole = pki.path("whole.bin")
        try content.write(to: URL(fileURLWithPath: whole + ".part"))
        try "source=https://localhost:\(port)/big.bin\nvalidator=\(etag)\nlength=\(content.count)\n"
            .write(toFile: whole + ".part.meta", atomically: true, encoding: .utf8)
        let complete = try Run.nettool(["download", "-c", "https://localhost:\(port)/big.bin", "-o", whole, "--cacert", pki.path("ca.pem"), "--json"])
        #expect(complete.status == 0 && complete.jsonLines.first?["transferred"] as? Int == 0, "\(complete.stdout) \(complete.stderr)")
        #expect(FileManager.default.contents(atPath: whole) == content)

        let downgrade = try Run.nettool(["download", "https://localhost:\(port)/elsewhere", "-o", pki.path("never.bin"), "--cacert", pki.path("ca.pem")])
        #expect(downgrade.status == 1 && downgrade.stderr.contains("from https to plain http") && downgrade.stderr.contains("--allow-downgrade"),
                "\(downgrade.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pki.path("never.bin")))
    }

    @Test("openssl s_client against tcp-echo-server --tls; tcp-echo-client --tls against a socat TLS echo")
    func echoOverTLS() throws {
        let pki = try TestPKI()
        let server = try BackgroundProcess.nettool(["tcp-echo-server", "--port", "0", "--bind", "127.0.0.1",
                                                     "--tls-cert", pki.path("chain.pem"), "--tls-key", pki.path("leaf.key")])
        defer { server.signal(SIGKILL) }
        let port = try #require(server.listeningPort(), "\(server.stderrText)")
        // s_client waits on after its input ends (-quiet implies -ign_eof): give it 3 seconds.
        let client = try Run.program("/usr/bin/timeout", ["-s", "KILL", "3", try peer("openssl", package: "openssl"),
                                     "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", pki.path("ca.pem"), "-verify_return_error", "-quiet"],
                                     stdin: Data("ping over tls\n".utf8))
        #expect(client.stdout.contains("ping over tls"), "\(client.stdout) \(client.stderr)")
        let ours = try Run.nettool(["tcp-echo-client", "localhost", "\(port)", "hello", "--tls", "--cacert", pki.path("ca.pem")])
        #expect(ours.status == 0 && ours.stdout == "hello\n", "\(ours.stderr)")

        let socatPort = try freeTCPPort()
        let socat = try BackgroundProcess(try peer("socat", package: "socat"),
                                          ["OPENSSL-LISTEN:\(socatPort),bind=127.0.0.1,reuseaddr,fork,cert=\(pki.path("chain.pem")),key=\(pki.path("leaf.key")),verify=0",
                                           "EXEC:cat"])
        defer { socat.signal(SIGKILL) }
        try #require(socat.wait(upTo: 5) { _ in canConnect(port: socatPort) }, "\(socat.stderrText)")
        let echoed = try Run.nettool(["tcp-echo-client", "localhost", "\(socatPort)", "verified echo", "--tls", "--cacert", pki.path("ca.pem"), "--explain"])
        #expect(echoed.status == 0 && echoed.stdout == "verified echo\n", "\(echoed.stderr)")
        #expect(echoed.stderr.contains("certificate 0 of 2") && echoed.stderr.contains("verification passed")
                && echoed.stderr.contains("from here on every byte is encrypted"), "\(echoed.stderr)")
        // The load generator over TLS: a fresh connection, and so a full handshake, per message.
        let bench = try Run.nettool(["tcp-echo-client", "localhost", "\(socatPort)", "--bench", "--tls", "--cacert", pki.path("ca.pem"),
                                     "--connections", "2", "--messages", "6", "--reconnect", "1", "--json"])
        let report = try #require(bench.jsonLines.first, "\(bench.stderr)")
        #expect(bench.status == 0 && report["handshakes"] as? Int == 6 && report["messages"] as? Int == 6 && report["errors"] as? Int == 0,
                "\(bench.stdout) \(bench.stderr)")
        let plain = try Run.nettool(["tcp-echo-client", "localhost", "\(socatPort)", "x", "--tls"])
        #expect(plain.status == 8 && plain.stderr.contains("signed by CN=nettool test root, which is not a trusted root on this host"), "\(plain.stderr)")
    }

    @Test("--keylog: tshark decrypts a capture of a download with the secrets and shows the request line")
    func keyLog() throws {
        let tcpdump = try peer("tcpdump", package: "tcpdump")
        let tshark = try peer("tshark", package: "tshark")
        let folder = try ServedFolder()
        try Data("the plaintext\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/secret.txt"))
        let pem = folder.path + "/../" + UUID().uuidString + ".pem"
        let keys = folder.path + "/../" + UUID().uuidString + ".keys"
        let capture = folder.path + "/../" + UUID().uuidString + ".pcap"
        defer { [pem, keys, capture].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let (server, port) = try startFileServer(folder, ["--tls-self-signed", "--tls-cert-out", pem])
        defer { server.signal(SIGTERM) }
        // --immediate-mode: each packet is written as it comes, not when a ring-buffer block is retired
        // (up to a second later), which a SIGINT right after the download would cut short.
        let sniffer = try BackgroundProcess(tcpdump, ["-i", "lo", "--immediate-mode", "-U", "-w", capture, "tcp port \(port)"])
        defer { sniffer.signal(SIGKILL) }
        #expect(sniffer.wait(upTo: 5) { $0.stderrText.contains("listening on") }, "\(sniffer.stderrText)")
        let download = try Run.nettool(["download", "https://localhost:\(port)/secret.txt", "-o", folder.path + "/got.txt",
                                        "--cacert", pem, "--keylog", keys])
        #expect(download.status == 0, "\(download.stderr)")
        usleep(300_000)
        sniffer.signal(SIGINT)
        _ = sniffer.waitForExit()
        let log = (try? String(contentsOfFile: keys, encoding: .utf8)) ?? ""
        #expect(log.contains("CLIENT_TRAFFIC_SECRET_0 "), "\(log)")
        let decoded = try Run.program(tshark, ["-r", capture, "-o", "tls.keylog_file:\(keys)", "-Y", "http.request", "-T", "fields",
                                               "-e", "http.request.method", "-e", "http.request.uri"])
        #expect(decoded.stdout.contains("GET\t/secret.txt"), "\(decoded.stdout) \(decoded.stderr)")
        let blind = try Run.program(tshark, ["-r", capture, "-Y", "http.request"])
        #expect(!blind.stdout.contains("secret.txt"), "without the key log the capture shows only TLS records")
    }
}
