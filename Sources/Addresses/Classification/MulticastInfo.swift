/// What an IPv4 or IPv6 multicast address says about itself.
public struct MulticastInfo: Sendable {
    /// RFC 4291 / RFC 7346 scope: the low nibble of the second byte of an IPv6 group.
    public enum Scope: Sendable, Equatable {
        case ipv6(UInt8)
        case ipv4LocalNetworkControl
        case ipv4OrganizationLocal
        case ipv4Documentation
        case ipv4Global

        public var name: String {
            switch self {
            case .ipv4LocalNetworkControl: return "link-local"
            case .ipv4OrganizationLocal: return "organization-local"
            case .ipv4Documentation: return "documentation (MCAST-TEST-NET)"
            case .ipv4Global: return "global"
            case .ipv6(let id):
                switch id {
                case 0x0, 0xF: return "reserved"
                case 0x1: return "interface-local"
                case 0x2: return "link-local"
                case 0x3: return "realm-local"
                case 0x4: return "admin-local"
                case 0x5: return "site-local"
                case 0x8: return "organization-local"
                case 0xE: return "global"
                default: return "unassigned"
                }
            }
        }
    }

    static let scopeNibbleMask: UInt128 = 0xF << 112

    public let scope: Scope
    /// IPv6 flag bits (RFC 3956 / RFC 3306): R embedded RP, P prefix-based, T transient.
    public let embeddedRP: Bool
    public let prefixBased: Bool
    public let transient: Bool
    /// The Ethernet destination a frame to this group uses (RFC 1112 section 6.4, RFC 2464 section 7).
    public let mac: [UInt8]
    /// For `ff02::1:ffXX:XXXX`: the low 24 bits every unicast address it solicits ends in.
    public let solicitedNodeLow24: UInt32?

    init(_ address: IPAddress) {
        let value = address.value
        if address.family == .v4 {
            let v4 = UInt32(truncatingIfNeeded: value)
            if v4 >> 8 == 0xE00000 { scope = .ipv4LocalNetworkControl }
            else if v4 >> 24 == 239 { scope = .ipv4OrganizationLocal }
            else if v4 >> 8 == 0xE9FC00 { scope = .ipv4Documentation }
            else { scope = .ipv4Global }
            embeddedRP = false; prefixBased = false; transient = false
            mac = [0x01, 0x00, 0x5E, UInt8((v4 >> 16) & 0x7F), UInt8(truncatingIfNeeded: v4 >> 8), UInt8(truncatingIfNeeded: v4)]
            solicitedNodeLow24 = nil
            return
        }
        let flags = UInt8((value >> 116) & 0xF)
        scope = .ipv6(UInt8((value >> 112) & 0xF))
        embeddedRP = flags & 0x4 != 0
        prefixBased = flags & 0x2 != 0
        transient = flags & 0x1 != 0
        mac = [0x33, 0x33] + (0..<4).map { UInt8(truncatingIfNeeded: value >> UInt128(24 - 8 * $0)) }
        let solicitedPrefix: UInt128 = 0xff02_0000_0000_0000_0000_0001_ff00_0000
        solicitedNodeLow24 = value & ~UInt128(0xFF_FFFF) == solicitedPrefix ? UInt32(truncatingIfNeeded: value & 0xFF_FFFF) : nil
    }
}

extension MulticastInfo.Scope {
    /// Multicast leaves the local domain only with global scope (RFC 4291, RFC 2365, RFC 5771).
    public var isGlobal: Bool {
        switch self {
        case .ipv4Global: return true
        case .ipv6(let id): return id == 0xE
        default: return false
        }
    }
}
