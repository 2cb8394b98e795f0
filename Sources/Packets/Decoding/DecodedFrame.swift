import Addresses

/// One captured frame, decoded as far as its bytes allow.
public struct DecodedFrame: Equatable, Sendable {
    public var link: LinkHeader
    public var content: Content
    /// Nil for a whole, well-formed packet; else why decoding stopped short.
    public var malformed: DecodeFailure?
    public var findings: [Finding]
    public var capturedLength: Int
    public var originalLength: Int

    public enum Content: Equatable, Sendable {
        case arp(ARPPacket)
        case ndp(NDPPacket)
        /// IPv4, or IPv6 that is not Neighbor Discovery, with its transport message.
        case ip(IPPacket)
        /// Any other EtherType.
        case other(etherType: UInt16)
        /// The link header itself was cut short, or the link type is not supported.
        case none
    }

    public var arp: ARPPacket? {
        if case .arp(let packet) = content { return packet }
        return nil
    }

    public var ip: IPPacket? {
        if case .ip(let packet) = content { return packet }
        return nil
    }

    public var ndp: NDPPacket? {
        if case .ndp(let packet) = content { return packet }
        return nil
    }

    /// The reason text, noting when the capture's snapshot length cut the frame.
    public var malformedReason: String? {
        guard let malformed else { return nil }
        if case .truncated = malformed, capturedLength < originalLength {
            return "\(malformed) (captured \(capturedLength) of \(originalLength) bytes; raise --snaplen)"
        }
        return malformed.description
    }
}
