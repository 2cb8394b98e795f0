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
    /// Set by the verification callback: the chain as received, and why it was refused.
    var chain: [CertificateSummary] = []
    var verificationFailure: TLSFailure?
    var verified = false

    /// The failure to report for `error`, the most specific first: what verification refused,
    /// what the peer sent instead of TLS, its alert, else the TLS library's words.
    func failure(for error: (any Error)?, peerIsServer: Bool) -> TLSFailure {
        if let verificationFailure { return verificationFailure }
        if let notTLS { return .notTLS(firstBytes: TerminalText.escape(bytes: notTLS), fromServer: peerIsServer) }
        if let alert { return .alert(TLSNames.alert(alert), fromServer: peerIsServer) }
        guard let error else { return .handshake("the \(peerIsServer ? "server" : "client") closed the connection during the handshake") }
        let text = String(describing: error)
        if text.contains("NO_SHARED_CIPHER") { return .alert("handshake_failure", fromServer: !peerIsServer) }
        if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("WRONG_VERSION") {
            return .handshake("no TLS version both sides accept (nettool speaks TLS 1.2 and 1.3)")
        }
        if case NIOSSLError.uncleanShutdown = error {
            return .handshake("the \(peerIsServer ? "server" : "client") closed the connection during the handshake")
        }
        return .handshake(text)
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
            case .malformed(let why): narrator.step("TLS: the peer's first handshake message is malformed", why)
            case .incomplete: break
            }
        }
        context.fireChannelRead(data)
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
        narrator.step("TLS ClientHello \(isServer ? "←" : "→") SNI \(hello.serverName ?? "(none: an IP address is never sent as SNI)"), "
                        + "ALPN \(hello.protocols.isEmpty ? "(none)" : hello.protocols.joined(separator: ", ")), "
                        + "versions \(versions.joined(separator: ", ")), \(hello.cipherSuites.count) cipher suites",
                      isServer ? "the client's opening message, in the clear: which name it wants and what it can speak"
                               : "the first TLS message, sent in the clear: a capture shows the name asked for and what this client can speak")
        if let certificate {
            narrator.step("TLS certificate → \(certificate.subject) for \(certificate.names.joined(separator: ", ")), SHA-256 \(certificate.sha256.prefix(23))…",
                          "the one certificate this server holds, chosen whatever name the client asked for; "
                              + (hello.serverName.map { certificate.names.contains($0) ? "it names \($0)" : "it does not name \($0): the client will refuse it" }
                                 ?? "no SNI: the client checks the address against the certificate's IP names"))
        }
    }

    private func readServerHello(_ message: [UInt8]) {
        guard case .hello(let hello) = HelloParser.serverHello(message) else { return }
        record.serverHello = hello
        narrator.step("TLS ServerHello \(isServer ? "→" : "←") \(TLSNames.version(hello.version)), \(TLSNames.cipherSuite(hello.cipherSuite))",
                      hello.version == 0x0304
                          ? "the server chose the version and cipher; in TLS 1.3 everything after this message, its certificate too, is encrypted"
                          : "the server chose the version and cipher; in TLS 1.2 its certificate follows in the clear")
    }
}
