/// An IPv4 address carried inside an IPv6 address, with the IPv4 address's own answer.
public struct EmbeddedAddress: Sendable {
    public enum Role: String, Sendable {
        case ipv4Mapped = "ipv4-mapped"
        case nat64 = "nat64"
        case sixToFour = "6to4"
        case teredoServer = "teredo-server"
        case teredoClient = "teredo-client"

        public var label: String {
            switch self {
            case .ipv4Mapped: return "IPv4-mapped address"
            case .nat64: return "NAT64 IPv4 address"
            case .sixToFour: return "6to4 IPv4 address"
            case .teredoServer: return "Teredo server"
            case .teredoClient: return "Teredo client (public, de-obfuscated)"
            }
        }
    }

    public let role: Role
    public let address: IPAddress
    public let scope: AddressScope
    public let isGlobal: Bool
}

/// The fields of a Teredo address (RFC 4380 section 4):
/// `2001:0:SSSS:SSSS:FFFF:PPPP:CCCC:CCCC`, where the client's port and IPv4 address are
/// stored inverted ("obfuscated") so NATs do not rewrite them.
public struct TeredoFields: Sendable, Equatable {
    public let server: IPAddress
    public let client: IPAddress
    public let port: UInt16
    public let flags: UInt16

    public init(_ address: IPAddress) {
        let value = address.value
        server = .v4(UInt32(truncatingIfNeeded: value >> 64))
        flags = UInt16(truncatingIfNeeded: value >> 48)
        port = ~UInt16(truncatingIfNeeded: value >> 32)
        client = .v4(~UInt32(truncatingIfNeeded: value))
    }

    /// The "C" bit: the client is behind a cone NAT.
    public var cone: Bool { flags & 0x8000 != 0 }
}

/// Which IPv4 addresses an IPv6 address carries, found by prefix.
enum EmbeddedExtraction {
    static func extract(_ address: IPAddress) -> [(EmbeddedAddress.Role, IPAddress)] {
        guard address.family == .v6 else { return [] }
        let value = address.value
        if value >> 32 == 0xffff { return [(.ipv4Mapped, address.low32)] }
        // 64:ff9b::/96 always embeds at /96; the local-use 64:ff9b:1::/48 may use any RFC 6052
        // length, and /96 is the one deployments use, so the low 32 bits are read there too.
        if value >> 32 == 0x0064_ff9b_0000_0000_0000_0000 || value >> 80 == 0x0064_ff9b_0001 {
            return [(.nat64, address.low32)]
        }
        if value >> 112 == 0x2002 { return [(.sixToFour, .v4(UInt32(truncatingIfNeeded: value >> 80)))] }
        if value >> 96 == 0x2001_0000 {
            let teredo = TeredoFields(address)
            return [(.teredoServer, teredo.server), (.teredoClient, teredo.client)]
        }
        return []
    }
}
