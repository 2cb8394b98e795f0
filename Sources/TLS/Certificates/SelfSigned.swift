import Addresses
import Crypto
import Foundation
import SwiftASN1
import X509

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

    /// The 4 or 16 bytes of an IP address literal, or nil for a host name.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard let address = IPAddress(text) else { return nil }
        let count = address.family == .v4 ? 4 : 16
        return (0..<count).map { UInt8(truncatingIfNeeded: address.value >> (8 * (count - 1 - $0))) }
    }
}
