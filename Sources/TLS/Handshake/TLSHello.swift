/// The two unencrypted messages that open every TLS handshake, read from the raw bytes on the
/// wire (pure: bytes in, values out): what the client offered and what the server chose. The
/// rest of a TLS 1.3 handshake is encrypted, so this is all a capture shows, and what
/// --explain narrates before the certificates.
public struct ClientHello: Equatable, Sendable {
    /// SNI: the host name the client asks for (none when it connects to an IP address).
    public var serverName: String?
    /// ALPN: application protocols offered, in preference order.
    public var protocols: [String] = []
    /// From supported_versions (TLS 1.3 clients), else the legacy version field.
    public var versions: [UInt16] = []
    public var cipherSuites: [UInt16] = []
    /// TLS 1.2: a session the client hopes to resume (empty: none); TLS 1.3 clients send random
    /// bytes here for middleboxes' sake.
    public var sessionID: [UInt8] = []
}

public struct ServerHello: Equatable, Sendable {
    public var version: UInt16
    public var cipherSuite: UInt16
    /// TLS 1.3: the server accepted a pre-shared key (a resumed session).
    public var acceptedPreSharedKey = false
    /// TLS 1.2: the session ID the server echoed (equal to the client's: resumed).
    public var sessionID: [UInt8] = []
    /// TLS 1.2 carries ALPN here; TLS 1.3 sends it encrypted.
    public var selectedProtocol: String?

    /// Whether this answer to `client` resumes an earlier session instead of a full handshake:
    /// in TLS 1.3 the server accepted a pre-shared key; in TLS 1.2 it echoed the session ID the
    /// client offered (a new session gets a new ID; TLS 1.3's echo of the random legacy ID
    /// means nothing).
    public func resumes(_ client: ClientHello?) -> Bool {
        if version >= 0x0304 { return acceptedPreSharedKey }
        guard let offered = client?.sessionID, !offered.isEmpty else { return false }
        return sessionID == offered
    }
}

/// What the first bytes of a connection turned out to be.
public enum HelloReading<Hello: Equatable & Sendable>: Equatable, Sendable {
    /// Not enough bytes yet.
    case incomplete
    case hello(Hello)
    /// Not a TLS handshake at all: the peer speaks something else (its first bytes, for the sentence).
    case notTLS(firstBytes: [UInt8])
    /// A TLS alert instead of a hello (description code), e.g. the server refused the ClientHello.
    case alert(UInt8)
    /// TLS records, but not a well-formed hello.
    case malformed(String)
}

/// Collects handshake records until one whole handshake message is there, then parses it.
/// Bounded: a hello larger than 64 KiB is malformed.
public struct HelloCollector {
    private var raw: [UInt8] = []
    private var message: [UInt8] = []
    private(set) public var done = false

    public init() {}

    /// Feeds bytes as they arrive; returns the message type and body once complete.
    mutating func feed(_ bytes: some Collection<UInt8>) -> HelloReading<[UInt8]> {
        guard !done else { return .incomplete }
        raw.append(contentsOf: bytes)
        while raw.count >= 5 {
            let type = raw[0], major = raw[1]
            // A change_cipher_spec or application_data record first: TLS, but out of order.
            if major == 3, type == 0x14 || type == 0x17 {
                done = true
                return .malformed("a TLS \(type == 0x17 ? "application-data" : "change-cipher-spec") record before any handshake")
            }
            guard (type == 0x16 || type == 0x15), major == 3 else {
                done = true
                return .notTLS(firstBytes: Array(raw.prefix(16)))
            }
            let length = Int(raw[3]) << 8 | Int(raw[4])
            guard raw.count >= 5 + length else { return .incomplete }
            let fragment = raw[5..<(5 + length)]
            raw.removeFirst(5 + length)
            if type == 0x15 {
                done = true
                return fragment.count >= 2 ? .alert(fragment[fragment.startIndex + 1]) : .malformed("a truncated alert")
            }
            message.append(contentsOf: fragment)
            if message.count >= 4 {
                let bodyLength = Int(message[1]) << 16 | Int(message[2]) << 8 | Int(message[3])
                if message.count >= 4 + bodyLength {
                    done = true
                    return .hello(Array(message[0..<(4 + bodyLength)]))
                }
            }
            if message.count > 1 << 16 {
                done = true
                return .malformed("a handshake message over 64 KiB")
            }
        }
        return .incomplete
    }
}

/// Parses ClientHello and ServerHello messages (handshake header included).
public enum HelloParser {
    public static func clientHello(_ message: [UInt8]) -> HelloReading<ClientHello> {
        var reader = Reader(message)
        guard reader.byte() == 1, reader.skip(3) else { return .malformed("the first handshake message is not a ClientHello") }
        guard let legacy = reader.uint16(), reader.skip(32), let session = reader.vector(lengthBytes: 1),
              let suites = reader.vector(lengthBytes: 2), reader.vector(lengthBytes: 1) != nil else {
            return .malformed("a truncated ClientHello")
        }
        var hello = ClientHello(versions: [legacy], sessionID: session)
        hello.cipherSuites = stride(from: 0, to: suites.count - 1, by: 2).map { UInt16(suites[$0]) << 8 | UInt16(suites[$0 + 1]) }
        guard let extensions = reader.vector(lengthBytes: 2) else { return .hello(hello) }
        var list = Reader(extensions)
        while let type = list.uint16(), let data = list.vector(lengthBytes: 2) {
            var ext = Reader(data)
            switch type {
            case 0:  // server_name: a list of (type, name); type 0 is a host name
                guard let names = ext.vector(lengthBytes: 2) else { break }
                var entries = Reader(names)
                while let kind = entries.byte(), let name = entries.vector(lengthBytes: 2) {
                    if kind == 0 { hello.serverName = String(decoding: name, as: UTF8.self) }
                }
            case 16:  // ALPN
                guard let names = ext.vector(lengthBytes: 2) else { break }
                var entries = Reader(names)
                while let name = entries.vector(lengthBytes: 1) { hello.protocols.append(String(decoding: name, as: UTF8.self)) }
            case 43:  // supported_versions
                guard let versions = ext.vector(lengthBytes: 1) else { break }
                hello.versions = stride(from: 0, to: versions.count - 1, by: 2).map { UInt16(versions[$0]) << 8 | UInt16(versions[$0 + 1]) }
            default:
                break
            }
        }
        return .hello(hello)
    }

    public static func serverHello(_ message: [UInt8]) -> HelloReading<ServerHello> {
        var reader = Reader(message)
        guard reader.byte() == 2, reader.skip(3) else { return .malformed("the server's first handshake message is not a ServerHello") }
        guard let legacy = reader.uint16(), reader.skip(32), let session = reader.vector(lengthBytes: 1),
              let suite = reader.uint16(), reader.byte() != nil else {
            return .malformed("a truncated ServerHello")
        }
        var hello = ServerHello(version: legacy, cipherSuite: suite, sessionID: session)
        guard let extensions = reader.vector(lengthBytes: 2) else { return .hello(hello) }
        var list = Reader(extensions)
        while let type = list.uint16(), let data = list.vector(lengthBytes: 2) {
            var ext = Reader(data)
            switch type {
            case 43: if let version = ext.uint16() { hello.version = version }
            case 41: hello.acceptedPreSharedKey = true
            case 16:
                if let names = ext.vector(lengthBytes: 2) {
                    var entries = Reader(names)
                    hello.selectedProtocol = entries.vector(lengthBytes: 1).map { String(decoding: $0, as: UTF8.self) }
                }
            default: break
            }
        }
        return .hello(hello)
    }
}

/// A bounds-checked cursor: every read returns nil past the end, never traps.
private struct Reader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() -> UInt16? {
        guard offset + 2 <= bytes.count else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard offset + count <= bytes.count else { return false }
        offset += count
        return true
    }

    /// A length-prefixed vector (1, 2 or 3 length bytes).
    mutating func vector(lengthBytes: Int) -> [UInt8]? {
        guard offset + lengthBytes <= bytes.count else { return nil }
        var length = 0
        for index in 0..<lengthBytes { length = length << 8 | Int(bytes[offset + index]) }
        guard offset + lengthBytes + length <= bytes.count else { return nil }
        defer { offset += lengthBytes + length }
        return Array(bytes[(offset + lengthBytes)..<(offset + lengthBytes + length)])
    }
}

/// Names as openssl and Wireshark print them.
public enum TLSNames {
    public static func version(_ code: UInt16) -> String {
        switch code {
        case 0x0304: return "TLS 1.3"
        case 0x0303: return "TLS 1.2"
        case 0x0302: return "TLS 1.1"
        case 0x0301: return "TLS 1.0"
        case 0x0300: return "SSL 3.0"
        default: return code & 0x0F0F == 0x0A0A ? "GREASE" : "0x" + String(code, radix: 16)
        }
    }

    public static func cipherSuite(_ code: UInt16) -> String {
        let names: [UInt16: String] = [
            0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
            0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
        ]
        return names[code] ?? "0x" + String(code, radix: 16, uppercase: true)
    }

    /// TLS alert descriptions (RFC 8446 section 6), for a handshake the peer refused.
    public static func alert(_ code: UInt8) -> String {
        switch code {
        case 0: return "close_notify"
        case 10: return "unexpected_message"
        case 20: return "bad_record_mac"
        case 40: return "handshake_failure"
        case 42: return "bad_certificate"
        case 43: return "unsupported_certificate"
        case 44: return "certificate_revoked"
        case 45: return "certificate_expired"
        case 46: return "certificate_unknown"
        case 47: return "illegal_parameter"
        case 48: return "unknown_ca"
        case 50: return "decode_error"
        case 51: return "decrypt_error"
        case 70: return "protocol_version"
        case 71: return "insufficient_security"
        case 80: return "internal_error"
        case 112: return "unrecognized_name"
        case 116: return "certificate_required"
        case 120: return "no_application_protocol"
        default: return "alert \(code)"
        }
    }
}
