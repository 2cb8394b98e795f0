/// The pcap link-layer header types (`DLT_*` / `LINKTYPE_*`) the decoder understands.
public enum LinkType: Equatable, Sendable {
    case ethernet
    /// Linux "cooked" capture v1, what `-i any` gives by default.
    case linuxSLL
    /// Linux cooked capture v2: adds the interface index.
    case linuxSLL2
    /// Bare IPv4 or IPv6 packets, the version nibble telling which (tun devices, `DLT_RAW`).
    case rawIP
    /// BSD loopback: a 4-byte address family first, in the capturing host's byte order
    /// (`DLT_NULL`) or in network order (`DLT_LOOP`).
    case null(bigEndian: Bool)
    case unsupported(Int32)

    public init(dlt: Int32) {
        switch dlt {
        case 1: self = .ethernet
        case 113: self = .linuxSLL
        case 276: self = .linuxSLL2
        // LINKTYPE_RAW is 101 in files; libpcap's DLT_RAW is 12 (14 on OpenBSD); 228/229 are IPv4/IPv6 only.
        case 12, 14, 101, 228, 229: self = .rawIP
        case 0: self = .null(bigEndian: false)
        case 108: self = .null(bigEndian: true)
        default: self = .unsupported(dlt)
        }
    }

    public var dlt: Int32 {
        switch self {
        case .ethernet: 1
        case .linuxSLL: 113
        case .linuxSLL2: 276
        case .rawIP: 12
        case .null(let bigEndian): bigEndian ? 108 : 0
        case .unsupported(let value): value
        }
    }

    public var isSupported: Bool {
        if case .unsupported = self { return false }
        return true
    }
}

/// EtherType values the decoders dispatch on.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let rarp: UInt16 = 0x8035
    public static let ipv6: UInt16 = 0x86dd
    /// 802.1Q customer tag, 802.1ad service tag, and the pre-standard QinQ tag.
    @inline(__always)
    public static func isVLANTag(_ value: UInt16) -> Bool {
        value == 0x8100 || value == 0x88a8 || value == 0x9100
    }
}
