/// Why a TLS connection was refused, as one sentence that names the cause and the fix. A
/// verification failure ends a client command with exit status 8.
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
    /// The handshake failed in the TLS library (its message).
    case handshake(String)
    /// --cacert, --tls-cert or --tls-key cannot be used.
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownIssuer(let subject, let issuer, let cacertGiven):
            return "the server's certificate (\(subject)) is signed by \(issuer), which is not a trusted root"
                + (cacertGiven ? " in --cacert; pass that issuer's certificate with --cacert FILE"
                                : " on this host; pass --cacert FILE to trust it (or --insecure to skip verification)")
        case .selfSigned(let subject, let cacertGiven):
            return "the server's certificate (\(subject)) is self-signed: nobody vouches for it"
                + (cacertGiven ? ", and it is not the one in --cacert" : "; pass it with --cacert FILE to trust exactly that certificate")
        case .nameMismatch(let expected, let names):
            return "the server's certificate is not for \(expected): it names "
                + (names.isEmpty ? "no host at all (no subjectAltName)" : names.joined(separator: ", "))
                + "; connect by one of those names (or use --resolve NAME:PORT:ADDRESS / --servername NAME)"
        case .expired(let subject, let notAfter, let now):
            return "the server's certificate (\(subject)) expired on \(notAfter) (it is now \(now)); the server must renew it"
        case .notYetValid(let subject, let notBefore, let now):
            return "the server's certificate (\(subject)) is not valid until \(notBefore) (it is now \(now)); check this host's clock"
        case .rejected(let reason):
            return "the server's certificate chain was refused: \(reason)"
        case .notTLS(let firstBytes, true):
            return "the server does not speak TLS: its first bytes were \"\(firstBytes)\"; is that a plain-text port (try http:// or drop --tls)?"
        case .notTLS(let firstBytes, false):
            return "the client sent plain text, not TLS, to this TLS port: \"\(firstBytes)\" (it should use https:// or --tls)"
        case .alert(let name, let fromServer):
            return "the TLS handshake failed: the \(fromServer ? "server" : "client") sent the alert \(name)"
                + (name == "protocol_version" ? " (no TLS version both sides accept; nettool speaks TLS 1.2 and 1.3)"
                   : name == "handshake_failure" ? " (no cipher suite or parameters both sides accept; nettool offers TLS 1.3's suites and "
                       + "TLS 1.2's AES-GCM, ChaCha20-Poly1305 and AES-CBC suites)" : "")
        case .handshake(let message):
            return "the TLS handshake failed: \(message)"
        case .badFile(let path, let reason):
            return "cannot use \(path): \(reason)"
        }
    }

    /// A file of this host's (--cacert, --tls-cert, --tls-key) is at fault, not the peer.
    public var isLocalFile: Bool {
        if case .badFile = self { return true }
        return false
    }
}
