import Foundation
import NIOCore
import NIOSSL
import Rendering
import X509
#if canImport(Glibc)
import Glibc
#endif

/// Where a server's certificate comes from.
public enum TLSServerIdentity: Sendable {
    /// A PEM certificate chain (leaf first) and its PEM private key (RSA or ECDSA).
    case files(certificate: String, key: String)
    /// `--tls-self-signed`: made at start for these names; the certificate (PEM) is written to
    /// `certificateOut`, or to a new file in the temporary folder.
    case selfSigned(names: [String], certificateOut: String?)

    /// A self-signed identity for a server bound to `bindHost`: localhost, the loopback
    /// addresses, the bind address when it is a specific one, and `names`.
    public static func selfSigned(bindHost: String, names extra: [String], certificateOut: String?) -> TLSServerIdentity {
        let bound = ["::", "0.0.0.0"].contains(bindHost) ? [] : [bindHost]
        var names: [String] = []
        for name in ["localhost", "127.0.0.1", "::1"] + bound + extra where !names.contains(name) { names.append(name) }
        return .selfSigned(names: names, certificateOut: certificateOut)
    }
}

/// The server side of TLS for every nettool server: TLS 1.2 and 1.3 only, the identity loaded
/// (or made) once, and per connection the handlers that speak TLS, narrate the ClientHello and
/// report a failed handshake (a plain-text client on the TLS port, say) as a sentence.
public final class TLSServerSide: Sendable, CustomStringConvertible {
    private let context: NIOSSLContext
    /// The leaf certificate's SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it.
    public let fingerprint: String
    /// Where a self-signed certificate was written (for `curl --cacert`); nil for --tls-cert.
    public let certificatePath: String?
    public let summary: CertificateSummary
    /// How long a client has, from accept, to complete its handshake before it is cut off: a
    /// client that connects and sends nothing, or half a ClientHello, holds nothing longer.
    public let handshakeTimeout: Duration

    public init(_ identity: TLSServerIdentity, keyLogPath: String? = nil, handshakeTimeout: Duration = .seconds(10)) throws(TLSFailure) {
        self.handshakeTimeout = handshakeTimeout
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        var written: String?
        switch identity {
        case .files(let certificatePath, let keyPath):
            for path in [certificatePath, keyPath] where access(path, R_OK) != 0 {
                throw .badFile(path: path, reason: String(cString: strerror(errno)))
            }
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            } catch {
                throw .badFile(path: certificatePath, reason: "not a PEM certificate chain (\(error))")
            }
            guard !chain.isEmpty else { throw .badFile(path: certificatePath, reason: "it holds no PEM certificate") }
            do {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            } catch {
                throw .badFile(path: keyPath, reason: "not a PEM private key (\(error))")
            }
        case .selfSigned(let names, let out):
            do {
                let made = try SelfSignedIdentity(names: names)
                chain = [try NIOSSLCertificate(bytes: made.certificateDER, format: .der)]
                key = try NIOSSLPrivateKey(bytes: Array(made.keyPEM.utf8), format: .pem)
                written = try Self.write(made.certificatePEM, to: out)
            } catch let failure as TLSFailure {
                throw failure
            } catch {
                throw .handshake("cannot make a self-signed certificate: \(error)")
            }
        }
        guard let der = try? chain[0].toDERBytes(), let leaf = try? Certificate(derEncoded: der) else {
            throw .badFile(path: "the certificate", reason: "its first certificate cannot be read")
        }
        summary = CertificateSummary(leaf, der: der)
        fingerprint = summary.sha256
        certificatePath = written
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        configuration.closeWithoutWaiting()
        if let path = keyLogPath {
            let log = try KeyLogFile(path: path)
            configuration.keyLogCallback = { log.append($0) }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .badFile(path: "the certificate and key", reason: "they do not make a TLS identity (does the key belong to the certificate?): \(error)")
        }
    }

    /// The line a server prints at start: what it serves with, and where a made certificate is.
    public var description: String {
        "TLS 1.2/1.3 with \(summary.subject) (\(summary.key)), SHA-256 \(fingerprint)"
            + (certificatePath.map { "; certificate in \($0) (curl --cacert \($0))" } ?? "")
    }

    /// Puts TLS in front of `channel`'s pipeline. `onFailure` gets the sentence when a client's
    /// handshake fails (the connection is then closed).
    public func secure(_ channel: Channel, narrator: Narrator, onFailure: @escaping @Sendable (String) -> Void) throws {
        let record = HandshakeRecord()
        let done = channel.eventLoop.makePromise(of: TLSSession.self)
        done.futureResult.whenFailure { error in onFailure((error as? TLSFailure)?.description ?? "\(error)") }
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(TLSAbortGate())
        try operations.addHandler(HelloWatch(record: record, isServer: true, narrator: narrator, certificate: summary))
        try operations.addHandler(NIOSSLServerHandler(context: context))
        try operations.addHandler(TLSCloser())
        try operations.addHandler(HandshakeWatch(record: record, peerIsServer: false, narrator: narrator, done: done, timeout: handshakeTimeout))
    }

    private static func write(_ pem: String, to path: String?) throws(TLSFailure) -> String {
        let target = path ?? (FileManager.default.temporaryDirectory.path + "/nettool-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pem")
        try SelfSignedIdentity.writePEM(pem, to: target)
        return target
    }
}
