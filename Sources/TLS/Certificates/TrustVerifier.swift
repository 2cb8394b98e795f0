@_spi(DisableValidityCheck) import X509
import Foundation

/// Checks a server's certificate chain against the trusted roots, and when it fails, says
/// which check failed first: the chain (unknown issuer, self-signed), then the dates, then the
/// name, as a person would look for the cause.
struct TrustVerifier: Sendable {
    let roots: CertificateStore
    /// The roots came from --cacert, not from this host's store.
    let rootsGiven: Bool

    /// Debian's bundle (package ca-certificates), which curl and openssl use too.
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    init(bundle path: String?) throws(TLSFailure) {
        let file = path ?? Self.systemBundle
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .badFile(path: file, reason: path == nil
                ? "this host's trust store is missing (apt-get install ca-certificates), or pass --cacert FILE"
                : "it cannot be read")
        }
        let certificates = Self.pemBlocks(text).compactMap { try? Certificate(pemEncoded: $0) }
        guard !certificates.isEmpty else { throw .badFile(path: file, reason: "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)") }
        roots = CertificateStore(certificates)
        rootsGiven = path != nil
    }

    static func pemBlocks(_ text: String) -> [String] {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        var blocks: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]))
            rest = rest[stop.upperBound...]
        }
        return blocks
    }

    /// nil when the chain is trusted for `name` (a host name, or an IP address matched against
    /// the certificate's IP SANs) now; else the first reason it is not.
    func verify(_ chain: [Certificate], name: String, isAddress: Bool, now: Date = Date()) async -> TLSFailure? {
        guard let leaf = chain.first else { return .rejected("the server sent no certificate") }
        let intermediates = CertificateStore(chain.dropFirst())
        var full = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: isAddress ? nil : name, serverIP: isAddress ? name : nil)
        }
        if case .validCertificate = await full.validate(leaf: leaf, intermediates: intermediates) { return nil }

        var chainOnly = Verifier(rootCertificates: roots) { RFC5280Policy.withValidityCheckDisabled() }
        let built: [Certificate]
        switch await chainOnly.validate(leaf: leaf, intermediates: intermediates) {
        case .validCertificate(let certificates):
            built = Array(certificates)
        case .couldNotValidate(let failures):
            if leaf.subject == leaf.issuer { return .selfSigned(subject: leaf.subject.description, cacertGiven: rootsGiven) }
            if let failure = failures.first { return .rejected(failure.policyFailureReason.description) }
            let top = chain.last ?? leaf
            return .unknownIssuer(subject: leaf.subject.description, issuer: top.issuer.description, cacertGiven: rootsGiven)
        }
        for certificate in built {
            if now > certificate.notValidAfter {
                return .expired(subject: certificate.subject.description, notAfter: CertificateSummary.dateText(certificate.notValidAfter),
                                now: CertificateSummary.dateText(now))
            }
            if now < certificate.notValidBefore {
                return .notYetValid(subject: certificate.subject.description, notBefore: CertificateSummary.dateText(certificate.notValidBefore),
                                    now: CertificateSummary.dateText(now))
            }
        }
        var identity = Verifier(rootCertificates: roots) {
            RFC5280Policy.withValidityCheckDisabled()
            ServerIdentityPolicy(serverHostname: isAddress ? nil : name, serverIP: isAddress ? name : nil)
        }
        if case .couldNotValidate = await identity.validate(leaf: leaf, intermediates: intermediates) {
            return .nameMismatch(expected: name, names: CertificateSummary.names(leaf))
        }
        return .rejected("the chain does not meet RFC 5280 (key usage, constraints or extensions)")
    }
}
