import Addresses

/// Decodes captured frames: link header, then ARP/RARP or IPv6 Neighbor Discovery. Pure:
/// bytes in, a value out; it never traps and never loops on bad input.
public enum FrameDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType, originalLength: Int? = nil) -> DecodedFrame {
        var frame = DecodedFrame(link: LinkHeader(), content: .none, malformed: nil, findings: [],
                                 capturedLength: bytes.count, originalLength: originalLength ?? bytes.count)
        guard linkType.isSupported else { return frame }
        var reader = PacketReader(bytes)
        do {
            frame.link = try LinkHeader.read(linkType, from: &reader)
        } catch {
            frame.malformed = error
            return frame
        }
        switch frame.link.etherType {
        case EtherType.arp, EtherType.rarp:
            decodeARP(&reader, into: &frame)
        case EtherType.ipv4:
            decodeIPv4(&reader, into: &frame)
        case EtherType.ipv6:
            decodeIPv6(&reader, into: &frame)
        default:
            frame.content = .other(etherType: frame.link.etherType)
        }
        return frame
    }

    public static func decode(_ bytes: [UInt8], linkType: LinkType = .ethernet, originalLength: Int? = nil) -> DecodedFrame {
        bytes.withUnsafeBytes { decode($0, linkType: linkType, originalLength: originalLength) }
    }

    private static func decodeARP(_ reader: inout PacketReader, into frame: inout DecodedFrame) {
        var packet = ARPPacket(viaRARPEtherType: frame.link.etherType == EtherType.rarp)
        do {
            try ARPPacket.read(from: &reader, into: &packet)
        } catch {
            frame.malformed = error
        }
        frame.content = .arp(packet)
        // arpwatch's "ethernet mismatch": the frame came from another MAC than the one ARP claims.
        if let source = frame.link.source, let claimed = packet.senderHardware?.mac, source != claimed {
            frame.findings.append(.linkSourceMismatch(frame: source, claimed: claimed))
        }
    }

    private static func decodeIPv4(_ reader: inout PacketReader, into frame: inout DecodedFrame) {
        let ip: IPv4Header
        do {
            ip = try IPv4Header.read(from: &reader)
        } catch {
            frame.malformed = error
            return
        }
        var packet = IPPacket(network: .v4(ip), transport: .other)
        let pseudo = PseudoHeader(source: ip.source, destination: ip.destination, protocolNumber: ip.protocolNumber,
                                  whole: !ip.isFragment && !ip.lengthFromCapture)
        if ip.lengthFromCapture { frame.findings.append(.totalLengthZero) }
        decodeTransport(&packet, &reader, length: ip.payloadLength, pseudo: pseudo, laterFragment: ip.fragmentOffset != 0,
                        into: &frame)
    }

    private static func decodeIPv6(_ reader: inout PacketReader, into frame: inout DecodedFrame) {
        let ip: IPv6Header
        do {
            ip = try IPv6Header.read(from: &reader)
        } catch {
            frame.malformed = error
            return
        }
        let laterFragment = (ip.fragment?.offset ?? 0) != 0
        guard ip.upperLayer == 58, !laterFragment, let type = reader.bytes.count > reader.offset ? reader.bytes[reader.offset] : nil,
              let kind = NDPKind(rawValue: type) else {
            var packet = IPPacket(network: .v6(ip), transport: .other)
            let pseudo = PseudoHeader(source: ip.source, destination: ip.destination, protocolNumber: ip.upperLayer,
                                      whole: ip.fragment == nil)
            decodeTransport(&packet, &reader, length: ip.upperLayerLength, pseudo: pseudo, laterFragment: laterFragment,
                            into: &frame)
            return
        }
        var packet: NDPPacket?
        var failure: DecodeFailure?
        NDPPacket.read(ip: ip, from: &reader, kind: kind, into: &packet, failure: &failure)
        frame.malformed = failure
        if let packet {
            frame.content = .ndp(packet)
            frame.findings = validityFindings(packet, link: frame.link)
        }
    }

    /// The transport message after an IP header; what was read stays when its bytes run out.
    private static func decodeTransport(_ packet: inout IPPacket, _ reader: inout PacketReader, length: Int,
                                        pseudo: PseudoHeader, laterFragment: Bool, into frame: inout DecodedFrame) {
        let isV6 = pseudo.source.family == .v6
        do {
            packet.transport = try IPPacket.readTransport(pseudo.protocolNumber, from: &reader, length: length, isV6: isV6,
                                                         pseudo: pseudo, laterFragment: laterFragment)
        } catch {
            frame.malformed = error
        }
        frame.content = .ip(packet)
        // The IPv4 header checksum is always computed in software, so a wrong one is real. Transport
        // checksums of locally sent packets are often left to the card: their status is shown, not alarmed.
        if case .v4(let ip) = packet.network, case .invalid(let expected) = ip.checksumStatus {
            frame.findings.append(.badIPv4Checksum(found: ip.checksum, expected: expected))
        }
    }

    /// RFC 4861's receive-side validity checks (sections 6.1, 7.1, 8.1) that a capture can see.
    static func validityFindings(_ packet: NDPPacket, link: LinkHeader) -> [Finding] {
        var findings: [Finding] = []
        if packet.ip.hopLimit != 255 { findings.append(.hopLimitNot255(packet.ip.hopLimit)) }
        if case .invalid(let expected) = packet.checksumStatus {
            findings.append(.badChecksum(found: packet.checksum, expected: expected))
        }
        if packet.code != 0 { findings.append(.nonZeroCode(packet.code)) }
        let sourceLLA = packet.sourceLinkLayerAddress
        if packet.ip.source == .unspecifiedV6 && sourceLLA != nil { findings.append(.linkLayerOptionFromUnspecified) }
        if let frameSource = link.source, let claimed = sourceLLA, frameSource != claimed {
            findings.append(.linkSourceMismatch(frame: frameSource, claimed: claimed))
        }
        switch packet.message {
        case .routerAdvertisement?, .redirect?:
            if !packet.ip.source.isLinkLocalV6 { findings.append(.sourceNotLinkLocal(packet.ip.source)) }
        case .neighborSolicitation(let target)?:
            if target.isMulticast { findings.append(.multicastTarget(target)) }
            if packet.isDAD && !packet.ip.destination.isSolicitedNodeMulticast {
                findings.append(.dadNotToSolicitedNode(packet.ip.destination))
            }
        case .neighborAdvertisement(let target, let flags)?:
            if target.isMulticast { findings.append(.multicastTarget(target)) }
            if flags.contains(.solicited) && packet.ip.destination.isMulticast { findings.append(.solicitedToMulticast) }
        case .routerSolicitation?, nil:
            break
        }
        return findings
    }
}
