import Addresses
import Crypto
import Foundation
import Rendering
import X509

/// What a person needs to know about one certificate: who it is for, who signed it, for which
/// names, from when to when, its key, and its fingerprint (as `openssl x509 -fingerprint -sha256`).
public struct CertificateSummary: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var names: [String]
    public var notBefore: Date
    public var notAfter: Date
    public var key: String
    public var sha256: String

    init(_ certificate: Certificate, der: [UInt8]) {
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        names = Self.names(certificate)
        notBefore = certificate.notValidBefore
        notAfter = certificate.notValidAfter
        key = Self.keyText(certificate.publicKey.description)
        sha256 = Self.fingerprint(der)
    }

    /// The subjectAltName DNS names and IP addresses.
    static func names(_ certificate: Certificate) -> [String] {
        guard let alternatives = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return alternatives.compactMap { name in
            switch name {
            case .dnsName(let dns): return dns
            case .ipAddress(let bytes): return ipText(Array(bytes.bytes))
            default: return nil
            }
        }
    }

    /// `AB:CD:…`, as openssl prints a fingerprint.
    public static func fingerprint(_ der: [UInt8]) -> String {
        SHA256.hash(data: der).map { byte in
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined(separator: ":")
    }

    /// `P256.PublicKey` → `ECDSA P-256`, `RSA2048.PublicKey` → `RSA 2048-bit`.
    private static func keyText(_ description: String) -> String {
        let name = description.replacingOccurrences(of: ".PublicKey", with: "")
        if name.hasPrefix("RSA") { return "RSA \(name.dropFirst(3))-bit" }
        if name.hasPrefix("P") { return "ECDSA P-\(name.dropFirst())" }
        return name
    }

    /// An IP SAN as addresses are written everywhere in nettool (RFC 5952 for IPv6).
    private static func ipText(_ bytes: [UInt8]) -> String {
        let value = bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        switch bytes.count {
        case 4: return IPAddress.v4(UInt32(value)).description
        case 16: return IPAddress.v6(value).description
        default: return bytes.map { String($0, radix: 16) }.joined(separator: ":")
        }
    }

    /// The subjectAltNames for a terminal or a log: the peer wrote them, so a line feed or a
    /// TAB in one is shown escaped, never obeyed.
    public var shownNames: String {
        names.isEmpty ? "(no subjectAltName)" : names.map { TerminalText.escape($0) }.joined(separator: ", ")
    }

    /// One line per certificate for --explain; every field the peer wrote is escaped.
    public var lines: [String] {
        [
            "subject \(TerminalText.escape(subject))",
            "issuer  \(TerminalText.escape(issuer))",
            "names   \(shownNames)",
            "valid   \(Self.dateText(notBefore)) to \(Self.dateText(notAfter))",
            "key     \(key)",
            "SHA-256 \(sha256)",
        ]
    }

    public static func dateText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
