import Addresses

/// The fixed IPv6 header, plus the upper-layer protocol found after any extension headers.
public struct IPv6Header: Equatable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var hopLimit: UInt8
    /// Bytes after the fixed header, as the header states it.
    public var payloadLength: UInt16
    /// The protocol after extension headers (58 for ICMPv6).
    public var upperLayer: UInt8
    /// Bytes of the upper-layer message, per the payload length and the extension headers skipped.
    public var upperLayerLength: Int

    /// Hop-by-hop options, routing, destination options: the headers that may precede ND.
    static func isSkippableExtension(_ value: UInt8) -> Bool { value == 0 || value == 43 || value == 60 }
    static let maximumExtensionHeaders = 8

    /// Reads the header and skips hop-by-hop, routing and destination options headers; leaves
    /// `reader` at the upper-layer message. A fragment header ends the walk (upper layer 44).
    static func read(from reader: inout PacketReader) throws(DecodeFailure) -> IPv6Header {
        let first = try reader.u32("IPv6 version/class/flow")
        guard first >> 28 == 6 else { throw .malformed("IP version \(first >> 28) in an IPv6 frame") }
        let payloadLength = try reader.u16("IPv6 payload length")
        var next = try reader.u8("IPv6 next header")
        let hopLimit = try reader.u8("IPv6 hop limit")
        let source = try reader.ipv6("IPv6 source")
        let destination = try reader.ipv6("IPv6 destination")
        var remaining = Int(payloadLength)
        var skipped = 0
        while isSkippableExtension(next) && skipped < maximumExtensionHeaders {
            next = try reader.u8("IPv6 extension header")
            let length = (Int(try reader.u8("IPv6 extension header length")) + 1) * 8
            try reader.skip(length - 2, "IPv6 extension header")
            remaining -= length
            skipped += 1
        }
        return IPv6Header(source: source, destination: destination, hopLimit: hopLimit,
                          payloadLength: payloadLength, upperLayer: next, upperLayerLength: Swift.max(0, remaining))
    }
}

extension IPAddress {
    static let unspecifiedV6 = IPAddress.v6(0)

    var isLinkLocalV6: Bool { family == .v6 && value >> 118 == 0x3fa }  // fe80::/10

    /// ff02::1:ffXX:XXXX, where NS for a target goes (RFC 4291 section 2.7.1).
    var isSolicitedNodeMulticast: Bool { family == .v6 && value >> 24 == 0xff02_0000_0000_0000_0000_0001_ff }
}
