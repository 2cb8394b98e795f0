import NIOCore
import NIOSSL
import Rendering

/// What one connection's handshake showed, gathered by the handlers around NIOSSL on the
/// connection's event loop (and by the verification callback), then read once it ends.
final class HandshakeRecord: @unchecked Sendable {
    var clientHello: ClientHello?
    var serverHello: ServerHello?
    var notTLS: [UInt8]?
    var alert: UInt8?
    /// What was wrong with the peer's first TLS records (`HelloCollector`, `HelloParser`).
    var malformed: String?
    /// Set by the verification callback: the chain as received, and why it was refused.
    var chain: [CertificateSummary] = []
    var verificationFailure: TLSFailure?
    var verified = false

    /// The failure to report for `error`, the most specific first: what verification refused,
    /// what the peer sent instead of TLS, its alert, what it broke, else the TLS library's
    /// error in words (`TLSFailure.library`).
    func failure(for error: (any Error)?, peerIsServer: Bool) -> TLSFailure {
        if let verificationFailure { return verificationFailure }
        if let notTLS { return .notTLS(firstBytes: TerminalText.escape(bytes: notTLS), fromServer: peerIsServer) }
        if let alert { return .alert(TLSNames.alert(alert), fromServer: peerIsServer) }
        if let malformed { return .malformed(malformed, fromServer: peerIsServer) }
        guard let error else { return .handshake("the \(peerIsServer ? "server" : "client") closed the connection during the handshake") }
        return TLSFailure.library(error, peerIsServer: peerIsServer) ?? .handshake(TerminalText.escape("\(error)"))
    }
}

/// Reads the unencrypted hellos off the wire as they pass (in both directions), without
/// changing a byte: the ClientHello going out (or coming in, on a server) and the ServerHello
/// coming back. Sits between the socket and NIOSSL.
final class HelloWatch: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let record: HandshakeRecord
    private let isServer: Bool
    private let narrator: Narrator
    /// A server's certificate, narrated as the answer to the ClientHello.
    private let certificate: CertificateSummary?
    private var incoming = HelloCollector()
    private var outgoing = HelloCollector()

    init(record: HandshakeRecord, isServer: Bool, narrator: Narrator, certificate: CertificateSummary? = nil) {
        self.record = record
        self.isServer = isServer
        self.narrator = narrator
        self.certificate = certificate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !incoming.done {
            let bytes = unwrapInboundIn(data)
            switch incoming.feed(bytes.readableBytesView) {
            case .hello(let message):
                if isServer { readClientHello(message) } else { readServerHello(message) }
            case .notTLS(let first): record.notTLS = first
            case .alert(let code): record.alert = code
            case .malformed(let why):
                record.malformed = why
                narrator.step("TLS: the peer's first handshake message is malformed", why)
            case .incomplete: break
            }
        } else if record.alert == nil {
            record.alert = Self.plainAlert(in: unwrapInboundIn(data))
        }
        context.fireChannelRead(data)
    }

    /// An unencrypted alert record (type 21, two bytes) among the first records of `bytes`: a
    /// TLS 1.3 client that refuses the certificate (curl, openssl) sends one before it has keys,
    /// which the library then fails to decrypt; its description is the reason. Encrypted alerts
    /// are longer, so this never misreads one.
    private static func plainAlert(in bytes: ByteBuffer) -> UInt8? {
        var offset = bytes.readerIndex
        for _ in 0..<4 {
            guard let header = bytes.getBytes(at: offset, length: 5) else { return nil }
            let length = Int(header[3]) << 8 | Int(header[4])
            if header[0] == 0x15, header[1] == 3, length == 2 { return bytes.getInteger(at: offset + 6, as: UInt8.self) }
            offset += 5 + length
        }
        return nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !outgoing.done, case .hello(let message) = outgoing.feed(unwrapOutboundIn(data).readableBytesView) {
            if isServer { readServerHello(message) } else { readClientHello(message) }
        }
        context.write(data, promise: promise)
    }

    private func readClientHello(_ message: [UInt8]) {
        guard case .hello(let hello) = HelloParser.clientHello(message) else { return }
        record.clientHello = hello
        let versions = hello.versions.map(TLSNames.version).filter { $0 != "GREASE" }
        // The name and protocols are the peer's bytes: escaped, so a line feed in them cannot forge a log line.
        let serverName = hello.serverName.map { TerminalText.escape($0) }
        narrator.step("TLS ClientHello \(isServer ? "←" : "→") SNI \(serverName ?? "(none: an IP address is never sent as SNI)"), "
                        + "ALPN \(hello.protocols.isEmpty ? "(none)" : hello.protocols.map { TerminalText.escape($0) }.joined(separator: ", ")), "
                        + "versions \(versions.joined(separator: ", ")), \(hello.cipherSuites.count) cipher suites",
                      isServer ? "the client's opening message, in the clear: which name it wants and what it can speak"
                               : "the first TLS message, sent in the clear: a capture shows the name asked for and what this client can speak")
        if let certificate {
            narrator.step("TLS certificate → \(TerminalText.escape(certificate.subject)) for \(certificate.shownNames), SHA-256 \(certificate.sha256.prefix(23))…",
                          "the one certificate this server holds, chosen whatever name the client asked for; "
                              + (hello.serverName.map { name in
                                  let shown = TerminalText.escape(name)
                                  return certificate.names.contains(name) ? "it names \(shown)" : "it does not name \(shown): the client will refuse it"
                              }
                                 ?? "no SNI: the client checks the address against the certificate's IP names"))
        }
    }

    private func readServerHello(_ message: [UInt8]) {
        guard case .hello(let hello) = HelloParser.serverHello(message) else {
            // Its own ClientHello back: the bytes went to an echo, not to a TLS server.
            if !isServer, message.first == 1 { record.malformed = "it sent this client's own ClientHello back (a plain echo server? drop --tls)" }
            return
        }
        record.serverHello = hello
        narrator.step("TLS ServerHello \(isServer ? "→" : "←") \(TLSNames.version(hello.version)), \(TLSNames.cipherSuite(hello.cipherSuite))",
                      hello.version == 0x0304
                          ? "the server chose the version and cipher; in TLS 1.3 everything after this message, its certificate too, is encrypted"
                          : "the server chose the version and cipher; in TLS 1.2 its certificate follows in the clear")
    }
}
