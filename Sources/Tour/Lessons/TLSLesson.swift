import ProcessIO
#if canImport(Glibc)
import Glibc
#endif

enum TLSLesson {
    static func run(_ tour: TourContext) throws {
        let folder = try tour.scratchFolder()
        let certificate = folder + "/tour-cert.pem", keys = folder + "/tour-keys.log"
        let serverArguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0", "--tls-self-signed", "--tls-cert-out", certificate]
        guard let (server, port, serverToken) = try tour.startServer(serverArguments, lesson: .tls, number: 1,
                title: "An echo server that speaks TLS") else { return }
        defer { tour.cleanup.run(serverToken) }
        tour.emit(TourStep(
            lesson: .tls, number: 1, title: "An echo server that speaks TLS",
            command: command(serverArguments), output: lines(server.stderr),
            explanation: """
                The same echo server, with TLS in front of every connection. It made itself a \
                certificate: a public key with the names it may answer for (localhost, 127.0.0.1), \
                signed with its own private key, which never leaves memory. The certificate itself \
                is public: it went to \(certificate), and its SHA-256 fingerprint is printed so a \
                person can compare it by eye.
                """,
            ok: true, facts: [("port", String(port))]))

        let refusedArguments = ["tcp-echo-client", "localhost", String(port), "hello, TLS", "--tls"]
        let refused = try tour.run(refusedArguments)
        tour.emit(TourStep(
            lesson: .tls, number: 2, title: "A careful client refuses it",
            command: command(refusedArguments), output: lines(refused.err) + ["exit status \(refused.status.map(String.init) ?? "?")"],
            explanation: """
                Encryption alone proves nothing: anyone on the path could offer a certificate. A \
                client trusts a certificate only when someone it already trusts vouches for it: a \
                certificate authority in this host's store (/etc/ssl/certs). Nobody vouches for a \
                self-signed one, so the client stops before sending a byte, names the cause, and \
                exits 8. This is the sentence you meet with every test server.
                """,
            ok: refused.status == 8 && refused.err.contains("self-signed")))

        let trustedArguments = ["tcp-echo-client", "localhost", String(port), "hello, TLS", "--tls", "--cacert", certificate,
                                "--keylog", keys, "--explain"]
        let trusted = try tour.run(trustedArguments)
        tour.emit(TourStep(
            lesson: .tls, number: 3, title: "Trusting exactly that certificate: the handshake, step by step",
            command: command(trustedArguments), output: lines(trusted.err) + lines(trusted.out),
            explanation: """
                --cacert says "trust this certificate and nothing else". After the TCP handshake the \
                client sends a ClientHello in the clear (the name it wants: SNI, and what it can \
                speak); the ServerHello picks TLS 1.3 and a cipher; then, encrypted, the server's \
                certificate, which the client checks: vouched for, in date, naming localhost. Both \
                sides derived the same keys from a key exchange nobody on the path can repeat, and \
                from then on every byte, the echo too, travels encrypted.
                """,
            ok: trusted.status == 0 && trusted.out.contains("hello, TLS")))

        let secrets = readAll(path: keys).map { String(decoding: $0, as: UTF8.self) } ?? ""
        tour.emit(TourStep(
            lesson: .tls, number: 4, title: "The key log: how Wireshark reads TLS",
            command: "cat \(keys)",
            output: lines(secrets).map { String($0.prefix(60)) + ($0.count > 60 ? "…" : "") },
            explanation: """
                --keylog (or the SSLKEYLOGFILE variable, which browsers honour too) wrote the \
                session's secrets, one line each, in the NSS key log format. A capture of this \
                connection shows only TLS records; given this file, Wireshark or tshark \
                (-o tls.keylog_file:FILE) decrypts it. That is how you debug your own TLS: the \
                secrets never leave the machine unless you write them down.
                """,
            ok: secrets.contains("CLIENT_TRAFFIC_SECRET_0")))
        server.signal(SIGTERM)
        _ = server.wait(seconds: 10)
    }
}
