import Addresses

/// Something a well-formed packet should not do: RFC 4861's validity checks for NDP, and
/// arpwatch's "ethernet mismatch" for ARP. The packet still decodes; the finding is shown.
public enum Finding: Equatable, Sendable, CustomStringConvertible {
    /// RFC 4861: NDP must arrive with hop limit 255, proof it was not forwarded.
    case hopLimitNot255(UInt8)
    case badChecksum(found: UInt16, expected: UInt16)
    case badIPv4Checksum(found: UInt16, expected: UInt16)
    /// IPv4 total length 0: a TSO or BIG TCP super-segment captured before the card split it.
    case totalLengthZero
    case nonZeroCode(UInt8)
    /// A source link-layer address option on a message from `::` (RFC 4861 sections 4.3, 7.1.1).
    case linkLayerOptionFromUnspecified
    /// An NA with the solicited flag sent to a multicast address (RFC 4861 section 7.1.2).
    case solicitedToMulticast
    /// The frame's link-layer source differs from the address the packet claims.
    case linkSourceMismatch(frame: MACAddress, claimed: MACAddress)
    /// RA and Redirect must come from a link-local address (RFC 4861 sections 6.1.2, 8.1).
    case sourceNotLinkLocal(IPAddress)
    /// NS and NA targets must not be multicast (RFC 4861 sections 7.1.1, 7.1.2).
    case multicastTarget(IPAddress)
    /// A DAD probe goes to the target's solicited-node group (RFC 4861 section 7.1.1).
    case dadNotToSolicitedNode(IPAddress)

    public var description: String {
        switch self {
        case .hopLimitNot255(let value): "hop limit \(value), not 255 (RFC 4861: drop)"
        case .badChecksum(let found, let expected): "bad ICMPv6 checksum 0x\(hex4(found)), expected 0x\(hex4(expected))"
        case .badIPv4Checksum(let found, let expected): "bad IPv4 header checksum 0x\(hex4(found)), expected 0x\(hex4(expected))"
        case .totalLengthZero: "IPv4 total length 0 (a TSO or BIG TCP super-segment): sized from the capture"
        case .nonZeroCode(let code): "ICMPv6 code \(code), must be 0"
        case .linkLayerOptionFromUnspecified: "source link-layer address option with source ::"
        case .solicitedToMulticast: "solicited flag set on a multicast destination"
        case .linkSourceMismatch(let frame, let claimed): "link-layer source \(frame) differs from claimed \(claimed)"
        case .sourceNotLinkLocal(let source): "source \(source) is not link-local"
        case .multicastTarget(let target): "multicast target \(target)"
        case .dadNotToSolicitedNode(let destination): "DAD probe sent to \(destination), not a solicited-node group"
        }
    }

    /// A short stable key for JSON consumers.
    public var code: StaticString {
        switch self {
        case .hopLimitNot255: "hop-limit"
        case .badChecksum: "checksum"
        case .badIPv4Checksum: "ip-checksum"
        case .totalLengthZero: "total-length-zero"
        case .nonZeroCode: "code"
        case .linkLayerOptionFromUnspecified: "slla-from-unspecified"
        case .solicitedToMulticast: "solicited-to-multicast"
        case .linkSourceMismatch: "link-source-mismatch"
        case .sourceNotLinkLocal: "source-not-link-local"
        case .multicastTarget: "multicast-target"
        case .dadNotToSolicitedNode: "dad-destination"
        }
    }
}

private func hex4(_ value: UInt16) -> String {
    String(String(value, radix: 16).leftPadded(to: 4))
}
