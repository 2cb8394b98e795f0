import Addresses
import Crypto
import Foundation
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// A fresh certificate for `--tls-self-signed`: a P-256 key made at start (it never touches
/// disk), valid from a minute ago for 7 days, for every name given (DNS names and IP addresses
/// as subjectAltNames). Self-issued and marked as a CA, as `openssl req -x509` makes them, so
/// curl and nettool can trust exactly it with --cacert.
struct SelfSignedIdentity {
    let certificatePEM: String
    let certificateDER: [UInt8]
    let keyPEM: String

    init(names: [String], now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("nettool")
            CommonName(names.first ?? "localhost")
        }
        let alternatives = names.map { name -> GeneralName in
            if let bytes = Self.addressBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))) }
            return .dnsName(name)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(7 * 24 * 3600),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
            },
            issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        certificateDER = serializer.serializedBytes
        certificatePEM = try certificate.serializeAsPEM().pemString
        keyPEM = key.pemRepresentation
    }

    /// Writes the certificate for `curl --cacert`, never through a symbolic link; a path that
    /// cannot take it is a sentence with the system's reason (a folder, a missing folder, no
    /// permission).
    static func writePEM(_ pem: String, to path: String) throws(TLSFailure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            let reason = switch errno {
            case EISDIR: "it is a folder; give --tls-cert-out a file name in it"
            case ELOOP: "it is a symbolic link; the certificate is never written through one"
            default: "cannot write the certificate there (\(String(cString: strerror(errno))))"
            }
            throw .badFile(path: path, reason: reason)
        }
        defer { close(descriptor) }
        let bytes = Array(pem.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw .badFile(path: path, reason: "cannot write the certificate there (\(String(cString: strerror(errno))))")
        }
    }

    /// The 4 or 16 bytes of an IP address literal, or nil for a host name.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard let address = IPAddress(text) else { return nil }
        let count = address.family == .v4 ? 4 : 16
        return (0..<count).map { UInt8(truncatingIfNeeded: address.value >> (8 * (count - 1 - $0))) }
    }
}
