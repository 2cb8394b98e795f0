import Addresses

/// A Neighbor Discovery message with its IPv6 header, options and checksum verdict.
public struct NDPPacket: Equatable, Sendable {
    public var ip: IPv6Header
    public var kind: NDPKind
    public var code: UInt8
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    /// Nil when the bytes ended inside the message's fixed part.
    public var message: NDPMessage?
    public var options: [NDPOption]

    public enum ChecksumStatus: Equatable, Sendable {
        case valid
        case invalid(expected: UInt16)
        /// The capture holds only part of the message.
        case unverified
    }

    public var sourceLinkLayerAddress: MACAddress? {
        for case .sourceLinkLayerAddress(let address) in options { return address.mac }
        return nil
    }

    public var targetLinkLayerAddress: MACAddress? {
        for case .targetLinkLayerAddress(let address) in options { return address.mac }
        return nil
    }

    /// Duplicate Address Detection: an NS from the unspecified address (RFC 4862 section 5.4).
    public var isDAD: Bool { kind == .neighborSolicitation && ip.source == .unspecifiedV6 }

    /// An NA nobody asked for (the S flag clear): a node announcing a new or changed address.
    public var isUnsolicitedNA: Bool {
        if case .neighborAdvertisement(_, let flags)? = message { return !flags.contains(.solicited) }
        return false
    }

    /// An RA with router lifetime 0: the router says it is no longer a default router.
    public var isRouterLeaving: Bool {
        if case .routerAdvertisement(let ra)? = message { return ra.routerLifetime == 0 }
        return false
    }

    /// Decodes the ICMPv6 message at `reader` (which ends where the captured bytes end).
    /// `message` counts the bytes the IPv6 header says the message has.
    static func read(ip: IPv6Header, from reader: inout PacketReader, kind: NDPKind,
                     into packet: inout NDPPacket?, failure: inout DecodeFailure?) {
        let start = reader.offset
        let claimed = ip.upperLayerLength
        guard claimed >= 4 else {
            failure = .malformed("ICMPv6 message length \(claimed), shorter than its header")
            return
        }
        // The message ends where the IPv6 payload length says, or sooner if the capture does.
        let captured = Swift.min(claimed, reader.remaining)
        var body = PacketReader(UnsafeRawBufferPointer(rebasing: reader.bytes[start..<(start + captured)]))
        reader = PacketReader(reader.bytes, offset: start + captured)
        do throws(DecodeFailure) {
            _ = try body.u8("ICMPv6 type")
            let code = try body.u8("ICMPv6 code")
            let checksum = try body.u16("ICMPv6 checksum")
            var status = ChecksumStatus.unverified
            if captured == claimed {
                let expected = ICMPv6Checksum.expected(source: ip.source, destination: ip.destination, message: body.bytes)
                status = expected == checksum ? .valid : .invalid(expected: expected)
            }
            packet = NDPPacket(ip: ip, kind: kind, code: code, checksum: checksum, checksumStatus: status, message: nil, options: [])
            packet?.message = try NDPMessage.read(kind, from: &body)
            packet?.options = NDPOption.readAll(from: &body, cutByCapture: captured < claimed, failure: &failure)
            if captured < claimed && failure == nil {
                failure = .truncated(Truncated(field: "ICMPv6 message", needed: claimed, available: captured))
            }
        } catch {
            failure = error
        }
    }
}
