import Foundation
import NIOSSL
import Rendering

/// Why a TLS connection was refused, as one sentence that names the cause and the fix. A
/// verification failure ends a client command with exit status 8. Names, subjects and
/// messages come from the peer: the sentence escapes them (a line feed in a certificate's
/// name must not forge a line of the output or the log).
public enum TLSFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chain leads to no trusted root: `issuer` is who signed the top certificate sent.
    case unknownIssuer(subject: String, issuer: String, cacertGiven: Bool)
    case selfSigned(subject: String, cacertGiven: Bool)
    /// The certificate is not for the name (or address) asked for; `names` are those it holds.
    case nameMismatch(expected: String, names: [String])
    case expired(subject: String, notAfter: String, now: String)
    case notYetValid(subject: String, notBefore: String, now: String)
    /// The chain is otherwise refused (bad signature, not a CA, …): the verifier's reason.
    case rejected(String)
    /// The peer answered with something that is not TLS (a plain-text server on that port, or
    /// a plain-text client on a TLS port).
    case notTLS(firstBytes: String, fromServer: Bool)
    /// The peer sent a TLS alert during the handshake (protocol version, no shared cipher, …).
    case alert(String, fromServer: Bool)
    /// The peer broke the protocol (a record too long, a message out of order): what it did.
    case malformed(String, fromServer: Bool)
    /// The handshake failed in the TLS library (its message).
    case handshake(String)
    /// --cacert, --tls-cert or --tls-key cannot be used.
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownIssuer(let subject, let issuer, let cacertGiven):
            return "the server's certificate (\(shown(subject))) is signed by \(shown(issuer)), which is not a trusted root"
                + (cacertGiven ? " in --cacert; pass that issuer's certificate with --cacert FILE"
                                : " on this host; pass --cacert FILE to trust it (or --insecure to skip verification)")
        case .selfSigned(let subject, let cacertGiven):
            return "the server's certificate (\(shown(subject))) is self-signed: nobody vouches for it"
                + (cacertGiven ? ", and it is not the one in --cacert" : "; pass it with --cacert FILE to trust exactly that certificate")
        case .nameMismatch(let expected, let names):
            return "the server's certificate is not for \(shown(expected)): it names "
                + (names.isEmpty ? "no host at all (no subjectAltName)" : names.map(shown).joined(separator: ", "))
                + "; connect by one of those names (or use --resolve NAME:PORT:ADDRESS / --servername NAME)"
        case .expired(let subject, let notAfter, let now):
            return "the server's certificate (\(shown(subject))) expired on \(notAfter) (it is now \(now)); the server must renew it"
        case .notYetValid(let subject, let notBefore, let now):
            return "the server's certificate (\(shown(subject))) is not valid until \(notBefore) (it is now \(now)); check this host's clock"
        case .rejected(let reason):
            return "the server's certificate chain was refused: \(shown(reason))"
        case .notTLS(let firstBytes, true):
            return "the server does not speak TLS: its first bytes were \"\(shown(firstBytes))\"; is that a plain-text port (try http:// or drop --tls)?"
        case .notTLS(let firstBytes, false):
            return "the client sent plain text, not TLS, to this TLS port: \"\(shown(firstBytes))\" (it should use https:// or --tls)"
        case .alert(let name, let fromServer):
            return "the TLS handshake failed: the \(fromServer ? "server" : "client") sent the alert \(shown(name))" + Self.alertHint(name, fromServer: fromServer)
        case .malformed(let what, let fromServer):
            return "the \(fromServer ? "server" : "client") broke the TLS protocol: \(shown(what)); "
                + (fromServer ? "it is not a TLS server nettool can talk to (is the port right?)" : "its connection was closed")
        case .handshake(let message):
            return "the TLS handshake failed: \(shown(message))"
        case .badFile(let path, let reason):
            return "cannot use \(shown(path)): \(reason)"
        }
    }

    /// What an alert most often means, when that is known.
    private static func alertHint(_ name: String, fromServer: Bool) -> String {
        switch name {
        case "protocol_version": return " (no TLS version both sides accept; nettool speaks TLS 1.2 and 1.3)"
        case "handshake_failure":
            return " (no cipher suite or parameters both sides accept; nettool offers TLS 1.3's suites and "
                + "TLS 1.2's AES-GCM, ChaCha20-Poly1305 and AES-CBC suites)"
        case "certificate_unknown", "bad_certificate", "unknown_ca", "unsupported_certificate", "certificate_expired":
            return fromServer ? "" : " (the client refused this server's certificate: give it the certificate to trust, "
                + "as curl --cacert FILE or nettool --cacert FILE)"
        default: return ""
        }
    }

    /// A file of this host's (--cacert, --tls-cert, --tls-key) is at fault, not the peer.
    public var isLocalFile: Bool {
        if case .badFile = self { return true }
        return false
    }
}

/// Text the peer wrote, for a sentence: control characters (a line feed, a TAB) escaped.
private func shown(_ text: String) -> String { TerminalText.escape(text) }

/// The TLS library's errors (NIOSSL over BoringSSL), in words: its reason codes
/// (`BAD_PACKET_LENGTH at …/s3_both.cc:…`) never reach a person.
extension TLSFailure {
    /// The peer closed the TCP connection (a FIN) without TLS's close_notify first: to the
    /// reader this is a connection closed early, as over plain TCP, not a TLS failure.
    public static func isUncleanShutdown(_ error: any Error) -> Bool {
        if case .uncleanShutdown? = error as? NIOSSLError { return true }
        return false
    }

    /// The failure a TLS library error stands for; nil when `error` is not one.
    /// `peerIsServer`: this side is the client.
    public static func library(_ error: any Error, peerIsServer: Bool) -> TLSFailure? {
        let peer = peerIsServer ? "server" : "client"
        let codes: [String]
        switch error {
        case NIOSSLError.handshakeFailed(let inner), NIOSSLError.shutdownFailed(let inner): codes = reasonCodes(inner)
        case let inner as BoringSSLError: codes = reasonCodes(inner)
        case NIOSSLError.uncleanShutdown: return .handshake("the \(peer) closed the connection during the handshake")
        case is NIOSSLError: return .handshake("\(error)")
        default: return nil
        }
        if codes.contains(where: { $0.hasPrefix("EOF during") }) { return .handshake("the \(peer) closed the connection during the handshake") }
        if codes.contains("NO_SHARED_CIPHER") { return .alert("handshake_failure", fromServer: !peerIsServer) }
        if codes.contains(where: { $0 == "UNSUPPORTED_PROTOCOL" || $0.hasPrefix("WRONG_VERSION") }) {
            return .handshake("no TLS version both sides accept (nettool speaks TLS 1.2 and 1.3)")
        }
        if let alert = codes.lazy.compactMap(alertName).first { return .alert(alert, fromServer: peerIsServer) }
        if codes.contains("DECRYPTION_FAILED_OR_BAD_RECORD_MAC") {
            return .malformed("a record that cannot be decrypted (changed on the way, or the \(peer) gave up on the handshake "
                              + "and said so in a form this side cannot read)", fromServer: peerIsServer)
        }
        if let what = codes.lazy.compactMap(violation).first { return .malformed(what, fromServer: peerIsServer) }
        let words = codes.map { $0.lowercased().replacingOccurrences(of: "_", with: " ") }
        return .handshake("the TLS library refused the \(peer)'s messages (\(words.isEmpty ? "no reason given" : words.joined(separator: "; ")))")
    }

    /// `error:1000009a:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH at /…/s3_both.cc:123` →
    /// `BAD_PACKET_LENGTH`; a synthetic message (`EOF during handshake`) as it is.
    private static func reasonCodes(_ error: BoringSSLError) -> [String] {
        switch error {
        case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack), .failedToSetALPN(let stack):
            return stack.map { entry in
                let text = entry.description
                guard let marker = text.range(of: "OPENSSL_internal:") else {
                    return text.replacingOccurrences(of: "Error: ", with: "").trimmingCharacters(in: .whitespaces)
                }
                return String(text[marker.upperBound...].prefix { $0 != " " })
            }
        default:
            return ["\(error)"]
        }
    }

    /// `SSLV3_ALERT_CERTIFICATE_UNKNOWN` (the peer sent that alert) → `certificate_unknown`.
    private static func alertName(_ code: String) -> String? {
        for prefix in ["SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV13_ALERT_"] where code.hasPrefix(prefix) {
            return code.dropFirst(prefix.count).lowercased()
        }
        return nil
    }

    /// What a protocol violation the library found means, for the ones a peer can provoke.
    private static func violation(_ code: String) -> String? {
        switch code {
        case "BAD_PACKET_LENGTH", "DECODE_ERROR", "BAD_LENGTH", "DATA_LENGTH_TOO_LONG":
            return "a TLS record or message whose length does not add up"
        case "UNEXPECTED_MESSAGE", "UNEXPECTED_RECORD", "UNEXPECTED_EXTENSION":
            return "a TLS message where the handshake does not allow one"
        case "EXCESSIVE_MESSAGE_SIZE":
            return "a handshake message larger than TLS accepts here (a certificate chain of hundreds of kilobytes?)"
        case "ENCRYPTED_LENGTH_TOO_LONG", "RECORD_TOO_LARGE":
            return "a TLS record over the 16 KiB limit"
        case "BAD_DECRYPT":
            return "a record that fails its integrity check (changed on the way, or not from this session)"
        case "HTTP_REQUEST", "HTTPS_PROXY_REQUEST":
            return "plain HTTP instead of TLS"
        default:
            return nil
        }
    }
}
