import Addresses

/// The five Neighbor Discovery messages of RFC 4861 (ICMPv6 types 133-137).
public enum NDPKind: UInt8, Sendable {
    case routerSolicitation = 133
    case routerAdvertisement = 134
    case neighborSolicitation = 135
    case neighborAdvertisement = 136
    case redirect = 137

    /// The JSON `type` value.
    public var name: StaticString {
        switch self {
        case .routerSolicitation: "router-solicitation"
        case .routerAdvertisement: "router-advertisement"
        case .neighborSolicitation: "neighbor-solicitation"
        case .neighborAdvertisement: "neighbor-advertisement"
        case .redirect: "redirect"
        }
    }

    /// The short form text lines use, as tcpdump does.
    public var abbreviation: StaticString {
        switch self {
        case .routerSolicitation: "RS"
        case .routerAdvertisement: "RA"
        case .neighborSolicitation: "NS"
        case .neighborAdvertisement: "NA"
        case .redirect: "Redirect"
        }
    }
}

/// The fixed part of each message, after type, code and checksum.
public enum NDPMessage: Equatable, Sendable {
    case routerSolicitation
    case routerAdvertisement(RouterAdvertisement)
    case neighborSolicitation(target: IPAddress)
    case neighborAdvertisement(target: IPAddress, flags: NeighborAdvertisementFlags)
    case redirect(target: IPAddress, destination: IPAddress)

    public var target: IPAddress? {
        switch self {
        case .neighborSolicitation(let target), .neighborAdvertisement(let target, _), .redirect(let target, _): target
        case .routerSolicitation, .routerAdvertisement: nil
        }
    }

    static func read(_ kind: NDPKind, from reader: inout PacketReader) throws(DecodeFailure) -> NDPMessage {
        switch kind {
        case .routerSolicitation:
            try reader.skip(4, "RS reserved")
            return .routerSolicitation
        case .routerAdvertisement:
            return .routerAdvertisement(RouterAdvertisement(
                currentHopLimit: try reader.u8("RA hop limit"), flags: try reader.u8("RA flags"),
                routerLifetime: try reader.u16("RA router lifetime"), reachableTime: try reader.u32("RA reachable time"),
                retransTimer: try reader.u32("RA retrans timer")))
        case .neighborSolicitation:
            try reader.skip(4, "NS reserved")
            return .neighborSolicitation(target: try reader.ipv6("NS target"))
        case .neighborAdvertisement:
            let flags = NeighborAdvertisementFlags(rawValue: try reader.u32("NA flags"))
            return .neighborAdvertisement(target: try reader.ipv6("NA target"), flags: flags)
        case .redirect:
            try reader.skip(4, "Redirect reserved")
            return .redirect(target: try reader.ipv6("Redirect target"), destination: try reader.ipv6("Redirect destination"))
        }
    }
}

public struct RouterAdvertisement: Equatable, Sendable {
    /// 0 means "unspecified by this router".
    public var currentHopLimit: UInt8
    public var flags: UInt8
    /// Seconds; 0 means "not a default router" (a router leaving).
    public var routerLifetime: UInt16
    /// Milliseconds; 0 unspecified.
    public var reachableTime: UInt32
    /// Milliseconds; 0 unspecified.
    public var retransTimer: UInt32

    /// M: addresses via DHCPv6.
    public var managed: Bool { flags & 0x80 != 0 }
    /// O: other configuration via DHCPv6.
    public var otherConfiguration: Bool { flags & 0x40 != 0 }
    /// H: home agent (RFC 6275).
    public var homeAgent: Bool { flags & 0x20 != 0 }
    /// P: ND proxy (RFC 4389).
    public var proxy: Bool { flags & 0x04 != 0 }
    /// Default router preference (RFC 4191), bits 3-4.
    public var preference: RouterPreference { RouterPreference(bits: flags >> 3) }
}

/// RFC 4191's two-bit preference; 10 is reserved and treated as medium by receivers.
public enum RouterPreference: Sendable {
    case high, medium, low, reserved

    init(bits: UInt8) {
        switch bits & 3 {
        case 1: self = .high
        case 3: self = .low
        case 2: self = .reserved
        default: self = .medium
        }
    }

    public var name: StaticString {
        switch self {
        case .high: "high"
        case .medium: "medium"
        case .low: "low"
        case .reserved: "reserved"
        }
    }
}

public struct NeighborAdvertisementFlags: OptionSet, Equatable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue & 0xe000_0000 }

    public static let router = NeighborAdvertisementFlags(rawValue: 0x8000_0000)
    public static let solicited = NeighborAdvertisementFlags(rawValue: 0x4000_0000)
    public static let override = NeighborAdvertisementFlags(rawValue: 0x2000_0000)
}
