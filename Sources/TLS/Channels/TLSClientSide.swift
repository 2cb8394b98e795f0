import Addresses
import Foundation
import NIOCore
import NIOSSL
import NIOTLS
import Rendering
import X509

/// How a client checks the server: this host's trust store (the default), exactly the roots in
/// --cacert, or nothing at all (--insecure, announced on every run).
public struct TLSClientOptions: Sendable {
    public enum Trust: Sendable, Equatable { case system, file(String), insecure }
    public var trust = Trust.system
    /// --servername: the name sent as SNI and verified, instead of the host connected to.
    public var serverName: String?
    /// --keylog, or SSLKEYLOGFILE: where the TLS secrets go, for Wireshark.
    public var keyLogPath: String?
    /// ALPN protocols to offer (`http/1.1` for download).
    public var protocols: [String] = []

    public init() {}
}

/// What a finished handshake agreed on.
public struct TLSSession: Sendable {
    public var version: String
    public var cipherSuite: String
    public var applicationProtocol: String?
    public var resumed: Bool
    public var chain: [CertificateSummary]
    public var verified: Bool
}

/// The client side of TLS for every nettool client: one context (trust roots read once), and
/// per connection the handlers that speak TLS, check the server's chain with a reason when it
/// fails, and narrate the handshake under --explain.
public final class TLSClientSide: Sendable {
    private let context: NIOSSLContext
    private let verifier: TrustVerifier?
    private let options: TLSClientOptions

    public init(_ options: TLSClientOptions) throws(TLSFailure) {
        self.options = options
        switch options.trust {
        case .insecure: verifier = nil
        case .system: verifier = try TrustVerifier(bundle: nil)
        case .file(let path): verifier = try TrustVerifier(bundle: path)
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        // The callback below checks the chain and the name itself (and says which failed);
        // NIOSSL's own name check would refuse without a reason, and even under --insecure.
        configuration.certificateVerification = .noHostnameVerification
        configuration.applicationProtocols = options.protocols
        configuration.closeWithoutWaiting()
        // An empty SSLKEYLOGFILE= is unset, as in browsers and curl.
        if let path = options.keyLogPath ?? ProcessInfo.processInfo.environment["SSLKEYLOGFILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let log = try KeyLogFile(path: path)
            configuration.keyLogCallback = { log.append($0) }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .handshake("cannot set up TLS: \(error)")
        }
    }

    /// The line every --insecure run prints: verification is off, and that is never silent.
    public var warning: String? {
        options.trust == .insecure
            ? "warning: --insecure: the server's certificate is NOT verified; anyone on the path can pose as \(options.serverName ?? "the server")"
            : nil
    }

    /// Puts TLS in `channel`'s pipeline, in front of what the caller adds next, for a connection
    /// to `host`. The future completes when the handshake did (or fails with a `TLSFailure`).
    public func secure(_ channel: Channel, host: String, timeout: Duration, narrator: Narrator) throws -> EventLoopFuture<TLSSession> {
        let name = options.serverName ?? host
        let isAddress = Self.isAddress(name)
        let record = HandshakeRecord()
        let verifier = self.verifier
        let loop = channel.eventLoop
        // SNI carries a host name only: an IP literal is never sent (RFC 6066), and is matched
        // against the certificate's IP SANs instead.
        let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name) { certificates, promise in
            let ders = certificates.compactMap { try? $0.toDERBytes() }
            let chain = ders.compactMap { try? Certificate(derEncoded: $0) }
            record.chain = zip(chain, ders).map { CertificateSummary($0, der: $1) }
            for (index, summary) in record.chain.enumerated() {
                narrator.step("certificate \(index) of \(record.chain.count) ← " + summary.lines[0],
                              summary.lines.dropFirst().joined(separator: "\n          "))
            }
            guard let verifier else {
                narrator.step("verification skipped (--insecure)", "nothing checks who is answering; the bytes are encrypted to whoever it is")
                promise.succeed(.certificateVerified)
                return
            }
            Task {
                let failure = await verifier.verify(chain, name: name, isAddress: isAddress)
                loop.execute {
                    if let failure {
                        record.verificationFailure = failure
                        narrator.step("verification failed", failure.description)
                        promise.succeed(.failed)
                    } else {
                        record.verified = true
                        narrator.step("verification passed",
                                      "the chain leads to a trusted root (\(verifier.rootsGiven ? "--cacert" : "this host's store")), "
                                          + "the dates hold, and the certificate names \(name)")
                        promise.succeed(.certificateVerified)
                    }
                }
            }
        }
        let done = loop.makePromise(of: TLSSession.self)
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(TLSAbortGate())
        try operations.addHandler(HelloWatch(record: record, isServer: false, narrator: narrator))
        try operations.addHandler(handler)
        try operations.addHandler(TLSCloser())
        try operations.addHandler(HandshakeWatch(record: record, peerIsServer: true, narrator: narrator, done: done, timeout: timeout))
        return done.futureResult
    }

    static func isAddress(_ name: String) -> Bool { IPAddress(name) != nil }
}

/// Completes the handshake promise: with the session when NIOSSL reports the handshake done,
/// with the most specific `TLSFailure` when it fails or the peer goes away first.
final class HandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let record: HandshakeRecord
    private let peerIsServer: Bool
    private let narrator: Narrator
    private let done: EventLoopPromise<TLSSession>
    private let timeout: Duration?
    private var finished = false
    private var deadline: Scheduled<Void>?

    init(record: HandshakeRecord, peerIsServer: Bool, narrator: Narrator, done: EventLoopPromise<TLSSession>, timeout: Duration? = nil) {
        self.record = record
        self.peerIsServer = peerIsServer
        self.narrator = narrator
        self.done = done
        self.timeout = timeout
    }

    /// A peer that takes the TCP connection but never completes the handshake must not hold
    /// the connection for ever: a client's handshake gets the connect timeout, a server's its
    /// handshake timeout, counted from when the TCP connection is up (armed earlier, it would
    /// end a slow TCP handshake first, as "I/O on closed channel", before the connect timeout
    /// could say what happened).
    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armDeadline(context: context)
        context.fireChannelActive()
    }

    /// A connection that never came up (its connect timed out) still settles the promise.
    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        if !finished {
            finished = true
            done.fail(record.failure(for: nil, peerIsServer: peerIsServer))
        }
    }

    private func armDeadline(context: ChannelHandlerContext) {
        guard let timeout, deadline == nil, !finished else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let (handler, context) = bound.value
            guard !handler.finished else { return }
            handler.finished = true
            handler.done.fail(TLSFailure.handshake(handler.peerIsServer
                ? "no TLS handshake within \(DurationText.compact(timeout)): the server took the connection but did not answer; is it a TLS port?"
                : "no TLS handshake within \(DurationText.compact(timeout)): the client connected but did not complete its handshake"))
            ConnectionAbort.close(context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event, !finished {
            finished = true
            let hello = record.serverHello
            let resumed = hello?.resumes(record.clientHello) ?? false
            let session = TLSSession(version: hello.map { TLSNames.version($0.version) } ?? "TLS",
                                     cipherSuite: hello.map { TLSNames.cipherSuite($0.cipherSuite) } ?? "?",
                                     applicationProtocol: negotiated, resumed: resumed, chain: record.chain, verified: record.verified)
            deadline?.cancel()
            narrator.step("TLS handshake done: \(session.version), \(session.cipherSuite), ALPN \(negotiated.map { TerminalText.escape($0) } ?? "(none)"), "
                            + (resumed ? "session resumed" : "full handshake"),
                          "from here on every byte is encrypted: a capture shows only TLS records (their sizes and timing)")
            done.succeed(session)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !finished {
            finished = true
            done.fail(record.failure(for: error, peerIsServer: peerIsServer))
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if !finished {
            finished = true
            done.fail(record.failure(for: nil, peerIsServer: peerIsServer))
        }
        context.fireChannelInactive()
    }
}
