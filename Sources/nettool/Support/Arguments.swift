import Addresses
import ArgumentParser
import Endpoints
import Rendering
import Serving
import TLS

/// A duration after every `--timeout`-like option (`DurationText.parse`: 100ms, 2s, 1m).
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        guard let value = DurationText.parse(argument) else { return nil }
        self.value = value
    }

    init(_ value: Duration) {
        self.value = value
    }

    var defaultValueDescription: String { DurationText.compact(value) }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A size: `1000`, `64K`, `500M`, `2G` (`parseByteCount`).
struct ByteCountArgument: ExpressibleByArgument, Sendable {
    let bytes: Int

    init?(argument: String) {
        guard let bytes = parseByteCount(argument) else { return nil }
        self.bytes = bytes
    }
}

/// The `--explain` flag every socket command takes.
struct ExplainOption: ParsableArguments {
    @Flag(help: "Narrate each socket call (socket, bind, connect, sendto, recvfrom, close) with real values, on stderr.")
    var explain = false

    var narrator: Narrator {
        Narrator(enabled: explain) { line in printError(line) }
    }
}

/// Ports, checked once with one message: a server may ask for 0 (any free port), a client not.
enum PortArgument {
    static func local(_ text: String) throws -> Int { try parse(text, lowest: 0) }
    static func remote(_ text: String) throws -> Int { try parse(text, lowest: 1) }

    private static func parse(_ text: String, lowest: Int) throws -> Int {
        guard let value = Int(text) else { throw ValidationError("'\(TerminalText.escape(text))' is not a port number") }
        guard (lowest...65535).contains(value) else { throw ValidationError("port \(value) is out of range: ports are \(lowest)-65535") }
        return value
    }
}

/// Where a client goes: HOST PORT, and -4/-6 (udp-send, tcp-echo-client).
struct RemoteArguments: ParsableArguments {
    @Argument(help: "An IPv4/IPv6 address or a host name.")
    var host: String

    @Argument(help: "Port (1-65535).", transform: PortArgument.remote)
    var port: Int

    @Flag(name: .customShort("4"), help: "Use IPv4 only.")
    var ipv4 = false

    @Flag(name: .customShort("6"), help: "Use IPv6 only.")
    var ipv6 = false

    var family: FamilyPreference { ipv4 ? .v4 : ipv6 ? .v6 : .any }

    func validate() throws {
        if let problem = HostSyntax.problem(host) { throw ValidationError(problem) }
        if ipv4 && ipv6 { throw ValidationError("-4 and -6 exclude each other") }
    }
}

/// How a TCP server listens: --bind, -p/--port, --max-connections, --grace (tcp-echo-server,
/// file-server).
struct ListenArguments: ParsableArguments {
    @Option(help: "Local address to listen on (:: is all addresses, IPv4 and IPv6).")
    var bind = "::"

    @Option(name: .shortAndLong, help: "Port to listen on; 0 asks the kernel for a free one (printed).", transform: PortArgument.local)
    var port: Int

    @Option(help: "Serve at most this many connections at once; one more is refused (logged) and closed.")
    var maxConnections: Int?

    @Option(help: "On Ctrl-C/SIGTERM, let open connections go on this long before closing them.")
    var grace = DurationArgument(.seconds(2))

    @Flag(help: "Do not set SO_REUSEADDR: a restart then fails with EADDRINUSE while connections of the last run wait out TIME_WAIT.")
    var noReuseAddress = false

    @Flag(help: "With an IPv6 --bind, take IPv6 clients only (IPV6_V6ONLY); by default [::] takes IPv4 clients too.")
    var ipv6Only = false

    func validate() throws {
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        if ipv6Only && !bind.contains(":") { throw ValidationError("--ipv6-only goes with an IPv6 --bind address such as :: or ::1") }
    }

    var options: ListenOptions {
        var options = ListenOptions()
        options.bindHost = bind
        options.port = port
        options.maxConnections = maxConnections
        options.grace = grace.value
        options.reuseAddress = !noReuseAddress
        options.ipv6Only = ipv6Only
        options.onAcceptPause = { printError("nettool: \($0)") }
        options.onTLSFailure = { peer, reason in printError("nettool: \(peer): \(reason)") }
        return options
    }

    /// The listen options with TLS from `tls` (its certificate made or loaded now), and the
    /// line that says so: the certificate's fingerprint, and where a self-signed one was written.
    func options(tls arguments: TLSServerArguments) throws -> (ListenOptions, tlsLine: String?) {
        var options = self.options
        guard let identity = arguments.identity(bindHost: bind) else { return (options, nil) }
        let tls = try TLSServerSide(identity, handshakeTimeout: arguments.tlsHandshakeTimeout.value)
        options.tls = tls
        return (options, tls.description)
    }
}

/// --json and --quiet, for every command that prints a stream or a result.
struct OutputArguments: ParsableArguments {
    @Flag(help: "JSON: one object, or JSON Lines for a stream (README lists the record types).")
    var json = false

    @Flag(help: "Print less: no per-item lines or progress, only the summary or the result.")
    var quiet = false
}

/// `--rate`: datagrams per second, or `max` (no pacing at all).
struct RateArgument: Sendable {
    /// The gap between datagrams; nil for `max`.
    let interval: Duration?

    static func parse(_ text: String) throws -> RateArgument {
        if text == "max" { return RateArgument(interval: nil) }
        guard let perSecond = Double(text), perSecond > 0, perSecond.isFinite else {
            throw ValidationError("--rate takes datagrams per second (e.g. 1000) or 'max'; got '\(TerminalText.escape(text))'")
        }
        return RateArgument(interval: .nanoseconds(Int64(1e9 / perSecond)))
    }
}

/// `--sha256`: 64 hex digits, as the 32 bytes of a SHA-256 digest.
enum SHA256Argument {
    static func parse(_ text: String) throws -> [UInt8] {
        let digits = text.compactMap(\.hexDigitValue)
        guard text.count == 64, digits.count == 64 else { throw ValidationError("--sha256 takes 64 hex digits; got '\(TerminalText.escape(text))'") }
        return stride(from: 0, to: 64, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
    }
}

/// How a TLS client checks the server: download https://, tcp-echo-client --tls.
struct TLSClientArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Trust exactly the root certificates in this PEM file (as curl's --cacert).", valueName: "file"))
    var cacert: String?

    @Flag(help: "Do not verify the server's certificate (encrypted, but to anyone; a warning says so on every run).")
    var insecure = false

    @Option(help: "The name to send as SNI and to verify (default: HOST).")
    var servername: String?

    @Option(help: ArgumentHelp("Append the TLS secrets to this file (NSS key log; Wireshark decrypts with it). SSLKEYLOGFILE does the same. "
                               + "A new file is made 0600; a symbolic link, or a file others may read or write, is refused.",
                               valueName: "file"))
    var keylog: String?

    func validate() throws {
        if keylog?.isEmpty == true { throw ValidationError("--keylog needs a file name") }
        if cacert != nil && insecure { throw ValidationError("--cacert trusts a certificate and --insecure trusts any: give one of them") }
        if let problem = servername.flatMap(HostSyntax.problem) { throw ValidationError("--servername: \(problem)") }
    }

    var options: TLSClientOptions {
        var options = TLSClientOptions()
        options.trust = insecure ? .insecure : cacert.map { .file($0) } ?? .system
        // SNI carries no root dot (RFC 6066 3): `localhost.` is sent and verified as `localhost`.
        options.serverName = servername.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        options.keyLogPath = keylog
        return options
    }
}

/// Where a TLS server's certificate comes from: tcp-echo-server, file-server.
struct TLSServerArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Serve TLS with this PEM certificate chain (leaf first); goes with --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The PEM private key (RSA or ECDSA) of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Flag(help: "Serve TLS with a P-256 certificate made at start for localhost, the bind address and each --tls-name.")
    var tlsSelfSigned = false

    @Option(help: "One more name or address for --tls-self-signed; repeatable.")
    var tlsName: [String] = []

    @Option(help: ArgumentHelp("Write the --tls-self-signed certificate (PEM) here (default: a new file in the temporary folder).",
                               valueName: "file"))
    var tlsCertOut: String?

    @Option(help: "Close a client whose TLS handshake is not complete this long after it connected.")
    var tlsHandshakeTimeout = DurationArgument(.seconds(10))

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsHandshakeTimeout.value <= .zero { throw ValidationError("--tls-handshake-timeout must be longer than 0") }
        if tlsCert != nil && tlsSelfSigned { throw ValidationError("--tls-cert serves your certificate, --tls-self-signed makes one: give one of them") }
        if !tlsSelfSigned && (!tlsName.isEmpty || tlsCertOut != nil) { throw ValidationError("--tls-name and --tls-cert-out go with --tls-self-signed") }
        if let bad = tlsName.first(where: { HostSyntax.problem($0) != nil }) { throw ValidationError("--tls-name '\(TerminalText.escape(bad))' is neither a host name nor an address") }
    }

    var enabled: Bool { tlsCert != nil || tlsSelfSigned }

    /// The identity to serve, nil for plain TCP.
    func identity(bindHost: String) -> TLSServerIdentity? {
        if let tlsCert, let tlsKey { return .files(certificate: tlsCert, key: tlsKey) }
        return tlsSelfSigned ? .selfSigned(bindHost: bindHost, names: tlsName, certificateOut: tlsCertOut) : nil
    }
}
