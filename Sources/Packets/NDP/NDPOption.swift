import Addresses

/// One Neighbor Discovery option (RFC 4861 section 4.6 and later RFCs). Options the decoder
/// does not know are kept as type, length and bytes.
public enum NDPOption: Equatable, Sendable {
    case sourceLinkLayerAddress(LinkAddress)
    case targetLinkLayerAddress(LinkAddress)
    case prefixInformation(PrefixInformation)
    case redirectedHeader(RedirectedPacket)
    case mtu(UInt32)
    /// RFC 6275: milliseconds between unsolicited advertisements.
    case advertisementInterval(UInt32)
    /// RFC 3971 (SEND) nonce; plain DAD uses it too (RFC 7527).
    case nonce([UInt8])
    case routeInformation(RouteInformation)
    /// RFC 8106 recursive DNS servers.
    case recursiveDNSServers(lifetime: UInt32, servers: [IPAddress])
    /// RFC 8106 DNS search list.
    case dnsSearchList(lifetime: UInt32, domains: [String])
    /// RFC 8910 captive-portal API URI.
    case captivePortal(String)
    /// RFC 8781 NAT64 prefix.
    case pref64(PREF64)
    case unknown(type: UInt8, length: UInt8, data: [UInt8])

    public var typeCode: UInt8 {
        switch self {
        case .sourceLinkLayerAddress: 1
        case .targetLinkLayerAddress: 2
        case .prefixInformation: 3
        case .redirectedHeader: 4
        case .mtu: 5
        case .advertisementInterval: 7
        case .nonce: 14
        case .routeInformation: 24
        case .recursiveDNSServers: 25
        case .dnsSearchList: 31
        case .captivePortal: 37
        case .pref64: 38
        case .unknown(let type, _, _): type
        }
    }

    /// The JSON `type` value.
    public var name: StaticString {
        switch self {
        case .sourceLinkLayerAddress: "source-link-layer-address"
        case .targetLinkLayerAddress: "target-link-layer-address"
        case .prefixInformation: "prefix-information"
        case .redirectedHeader: "redirected-header"
        case .mtu: "mtu"
        case .advertisementInterval: "advertisement-interval"
        case .nonce: "nonce"
        case .routeInformation: "route-information"
        case .recursiveDNSServers: "rdnss"
        case .dnsSearchList: "dnssl"
        case .captivePortal: "captive-portal"
        case .pref64: "pref64"
        case .unknown: "unknown"
        }
    }

    /// Walks the options area. Each option's length comes first, so one with a bad body is
    /// reported and skipped; length 0 or an overrun ends the walk (RFC 4861: a receiver
    /// must not loop on a zero length). `failure` gets the first problem found; an overrun
    /// counts as truncation when `cutByCapture` (the capture ended before the message did).
    static func readAll(from reader: inout PacketReader, cutByCapture: Bool, failure: inout DecodeFailure?) -> [NDPOption] {
        var options: [NDPOption] = []
        options.reserveCapacity(reader.remaining / 8)
        while reader.remaining > 0 {
            let start = reader.offset
            guard reader.remaining >= 2 else {
                failure = failure ?? .malformed("\(reader.remaining) stray byte after the last option")
                break
            }
            let type = (try? reader.u8("option type")) ?? 0
            let length = (try? reader.u8("option length")) ?? 0
            guard length > 0 else {
                failure = failure ?? .malformed("option type \(type) at byte \(start) of the ICMPv6 message has length 0")
                break
            }
            let size = Int(length) * 8
            guard size - 2 <= reader.remaining else {
                if cutByCapture {
                    failure = failure ?? .truncated(Truncated(field: "option body", needed: size - 2, available: reader.remaining))
                    break
                }
                failure = failure ?? .malformed("option type \(type) at byte \(start) of the ICMPv6 message claims \(size) bytes, \(reader.remaining + 2) left")
                break
            }
            guard var body = try? reader.sub(size - 2, "option body") else { break }
            do {
                options.append(try read(type: type, length: length, body: &body))
            } catch {
                failure = failure ?? .malformed("option \(Self.knownNames[type] ?? "type \(type)") at byte \(start) of the ICMPv6 message: \(error)")
                options.append(.unknown(type: type, length: length, data: Array(body.bytes)))
            }
        }
        return options
    }

    static let knownNames: [UInt8: String] = [
        1: "source-link-layer-address", 2: "target-link-layer-address", 3: "prefix-information",
        4: "redirected-header", 5: "mtu", 7: "advertisement-interval", 14: "nonce", 24: "route-information",
        25: "rdnss", 31: "dnssl", 37: "captive-portal", 38: "pref64",
    ]

    private static func read(type: UInt8, length: UInt8, body: inout PacketReader) throws(DecodeFailure) -> NDPOption {
        switch type {
        case 1, 2:
            // Ethernet: six bytes of MAC, padded to eight with the type and length.
            let address: LinkAddress = body.remaining == 6 ? .mac(try body.mac("link-layer address"))
                : .bytes(try body.copy(body.remaining, "link-layer address"))
            return type == 1 ? .sourceLinkLayerAddress(address) : .targetLinkLayerAddress(address)
        case 3:
            guard length == 4 else { throw .malformed("length \(length), must be 4") }
            return .prefixInformation(PrefixInformation(
                prefixLength: try body.u8("prefix length"), flags: try body.u8("prefix flags"),
                validLifetime: try body.u32("valid lifetime"), preferredLifetime: try body.u32("preferred lifetime"),
                prefix: try { () throws(DecodeFailure) -> IPAddress in
                    try body.skip(4, "reserved")
                    return try body.ipv6("prefix")
                }()))
        case 4:
            try body.skip(6, "reserved")
            return .redirectedHeader(RedirectedPacket.read(from: &body))
        case 5:
            guard length == 1 else { throw .malformed("length \(length), must be 1") }
            try body.skip(2, "reserved")
            return .mtu(try body.u32("MTU"))
        case 7:
            try body.skip(2, "reserved")
            return .advertisementInterval(try body.u32("advertisement interval"))
        case 14:
            return .nonce(try body.copy(body.remaining, "nonce"))
        case 24:
            guard (1...3).contains(length) else { throw .malformed("length \(length), must be 1, 2 or 3") }
            let prefixLength = try body.u8("route prefix length")
            let flags = try body.u8("route flags")
            let lifetime = try body.u32("route lifetime")
            var prefix: UInt128 = 0
            for index in 0..<body.remaining { prefix |= UInt128(try body.u8("route prefix")) << UInt128(120 - 8 * index) }
            guard prefixLength <= 128 else { throw .malformed("prefix length \(prefixLength)") }
            return .routeInformation(RouteInformation(prefix: .v6(prefix), prefixLength: prefixLength,
                                                      preference: RouterPreference(bits: flags >> 3), lifetime: lifetime))
        case 25:
            guard length >= 3, length % 2 == 1 else { throw .malformed("length \(length), must be odd and at least 3") }
            try body.skip(2, "reserved")
            let lifetime = try body.u32("RDNSS lifetime")
            var servers: [IPAddress] = []
            while body.remaining >= 16 { servers.append(try body.ipv6("RDNSS address")) }
            return .recursiveDNSServers(lifetime: lifetime, servers: servers)
        case 31:
            guard length >= 2 else { throw .malformed("length \(length), must be at least 2") }
            try body.skip(2, "reserved")
            let lifetime = try body.u32("DNSSL lifetime")
            return .dnsSearchList(lifetime: lifetime, domains: try DomainNames.read(from: &body))
        case 37:
            let raw = body.upTo(body.remaining)
            let text = raw.prefix { $0 != 0 }
            return .captivePortal(String(decoding: text, as: UTF8.self))
        case 38:
            guard length == 2 else { throw .malformed("length \(length), must be 2") }
            let word = try body.u16("PREF64 lifetime and PLC")
            var prefix: UInt128 = 0
            for index in 0..<12 { prefix |= UInt128(try body.u8("PREF64 prefix")) << UInt128(120 - 8 * index) }
            guard let prefixLength = PREF64.prefixLengths[Int(word & 7)] else {
                throw .malformed("prefix length code \(word & 7) is not defined (0-5)")
            }
            return .pref64(PREF64(lifetime: UInt32(word >> 3) * 8, prefix: .v6(prefix), prefixLength: prefixLength))
        default:
            return .unknown(type: type, length: length, data: try body.copy(body.remaining, "option data"))
        }
    }
}

public struct PrefixInformation: Equatable, Sendable {
    public var prefixLength: UInt8
    public var flags: UInt8
    /// Seconds; 0xffffffff means infinity.
    public var validLifetime: UInt32
    public var preferredLifetime: UInt32
    public var prefix: IPAddress

    /// L: the prefix is on-link.
    public var onLink: Bool { flags & 0x80 != 0 }
    /// A: hosts may form addresses from it (SLAAC).
    public var autonomous: Bool { flags & 0x40 != 0 }
    /// R: the prefix field holds the router's address (RFC 6275).
    public var routerAddress: Bool { flags & 0x20 != 0 }
    /// P: DHCPv6 prefix delegation preferred (RFC 9762).
    public var delegationPreferred: Bool { flags & 0x10 != 0 }
}

public struct RouteInformation: Equatable, Sendable {
    public var prefix: IPAddress
    public var prefixLength: UInt8
    public var preference: RouterPreference
    public var lifetime: UInt32
}

public struct PREF64: Equatable, Sendable {
    /// Seconds (the field counts units of eight seconds).
    public var lifetime: UInt32
    public var prefix: IPAddress
    public var prefixLength: UInt8

    static let prefixLengths: [Int: UInt8] = [0: 96, 1: 64, 2: 56, 3: 48, 4: 40, 5: 32]
}

/// Uncompressed DNS names (RFC 1035 section 3.1) as RFC 8106 requires; zero padding ends the list.
/// Labels are kept as sent (a router may send anything): the text renderers escape them for the
/// terminal, the JSON renderer for JSON, like every other string from the wire.
enum DomainNames {
    static func read(from reader: inout PacketReader) throws(DecodeFailure) -> [String] {
        var names: [String] = []
        var labels: [String] = []
        while reader.remaining > 0 {
            let length = try reader.u8("DNSSL label length")
            if length == 0 {
                if labels.isEmpty { break }  // padding
                names.append(labels.joined(separator: "."))
                labels.removeAll()
                continue
            }
            guard length < 64 else { throw .malformed("label length \(length) (compression is not allowed here)") }
            labels.append(String(decoding: try reader.copy(Int(length), "DNSSL label"), as: UTF8.self))
        }
        guard labels.isEmpty else { throw .malformed("domain name not terminated") }
        return names
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
