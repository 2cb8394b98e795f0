import Addresses

/// The fixed IPv6 header, its extension-header chain (RFC 8200 section 4), and the
/// upper-layer protocol found after it.
public struct IPv6Header: Equatable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var hopLimit: UInt8
    public var trafficClass: UInt8 = 0
    public var flowLabel: UInt32 = 0
    /// Bytes after the fixed header, as the header states it.
    public var payloadLength: UInt16
    /// The protocol after extension headers (58 for ICMPv6, 6 TCP, 17 UDP, 59 none).
    public var upperLayer: UInt8
    /// Bytes of the upper-layer message, per the payload length and the extension headers walked.
    public var upperLayerLength: Int
    /// The extension headers in order, by their next-header values (0 hop-by-hop, 43 routing...).
    public var extensions = ExtensionChain()
    /// Present when the chain holds a fragment header.
    public var fragment: IPv6Fragment?

    /// Longer chains are not real traffic: stop and call the packet malformed.
    static let maximumExtensionHeaders = 8

    /// Reads the header and walks its extension headers; leaves `reader` at the upper-layer message.
    static func read(from reader: inout PacketReader) throws(DecodeFailure) -> IPv6Header {
        let first = try reader.u32("IPv6 version/class/flow")
        guard first >> 28 == 6 else { throw .malformed("IP version \(first >> 28) in an IPv6 packet") }
        let payloadLength = try reader.u16("IPv6 payload length")
        var next = try reader.u8("IPv6 next header")
        let hopLimit = try reader.u8("IPv6 hop limit")
        var header = IPv6Header(source: try reader.ipv6("IPv6 source"), destination: try reader.ipv6("IPv6 destination"),
                                hopLimit: hopLimit, trafficClass: UInt8(truncatingIfNeeded: first >> 20),
                                flowLabel: first & 0xf_ffff, payloadLength: payloadLength, upperLayer: next, upperLayerLength: 0)
        var remaining = Int(payloadLength)
        while let kind = ExtensionKind(rawValue: next) {
            guard header.extensions.count < maximumExtensionHeaders else {
                throw .malformed("more than \(maximumExtensionHeaders) IPv6 extension headers")
            }
            header.extensions.append(kind)
            next = try reader.u8("IPv6 extension header")
            let lengthField = Int(try reader.u8("IPv6 extension header length"))
            let length = kind == .fragment ? 8 : kind == .authentication ? (lengthField + 2) * 4 : (lengthField + 1) * 8
            if kind == .fragment {
                let offsetAndFlag = try reader.u16("IPv6 fragment offset")
                header.fragment = IPv6Fragment(offset: Int(offsetAndFlag & 0xfff8), moreFragments: offsetAndFlag & 1 != 0,
                                               identification: try reader.u32("IPv6 fragment identification"))
            } else {
                try reader.skip(length - 2, "IPv6 extension header")
            }
            remaining -= length
            guard remaining >= 0 else { throw .malformed("IPv6 extension headers run past the payload length \(payloadLength)") }
        }
        header.upperLayer = next
        header.upperLayerLength = remaining
        return header
    }
}

/// The extension headers this decoder walks (IANA's "IPv6 Extension Header Types").
public enum ExtensionKind: UInt8, Sendable {
    case hopByHop = 0, routing = 43, fragment = 44, authentication = 51, destinationOptions = 60
    case mobility = 135, hostIdentity = 139, shim6 = 140

    public var name: StaticString {
        switch self {
        case .hopByHop: "hop-by-hop"
        case .routing: "routing"
        case .fragment: "fragment"
        case .authentication: "authentication"
        case .destinationOptions: "destination-options"
        case .mobility: "mobility"
        case .hostIdentity: "hip"
        case .shim6: "shim6"
        }
    }
}

/// Up to eight extension kinds, in one word so a header stays allocation-free.
public struct ExtensionChain: Equatable, Sendable, Sequence {
    private var packed: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    mutating func append(_ kind: ExtensionKind) {
        packed |= UInt64(kind.rawValue) << (8 * UInt64(count))
        count += 1
    }

    public func makeIterator() -> AnyIterator<ExtensionKind> {
        var index = 0
        return AnyIterator {
            guard index < count else { return nil }
            defer { index += 1 }
            return ExtensionKind(rawValue: UInt8(truncatingIfNeeded: packed >> (8 * UInt64(index))))
        }
    }
}

/// The fragment header's fields.
public struct IPv6Fragment: Equatable, Sendable {
    /// In bytes.
    public var offset: Int
    public var moreFragments: Bool
    public var identification: UInt32
}

extension IPAddress {
    static let unspecifiedV6 = IPAddress.v6(0)

    var isLinkLocalV6: Bool { family == .v6 && value >> 118 == 0x3fa }  // fe80::/10

    /// ff02::1:ffXX:XXXX, where NS for a target goes (RFC 4291 section 2.7.1).
    var isSolicitedNodeMulticast: Bool { family == .v6 && value >> 24 == 0xff02_0000_0000_0000_0000_0001_ff }
}
