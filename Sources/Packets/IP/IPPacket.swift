import Addresses

/// An IPv4 or IPv6 packet and the transport message it carries, decoded as far as its bytes go.
public struct IPPacket: Equatable, Sendable {
    public enum Network: Equatable, Sendable {
        case v4(IPv4Header)
        case v6(IPv6Header)
    }

    public enum Transport: Equatable, Sendable {
        case tcp(TCPSegment)
        case udp(UDPDatagram)
        case icmp(ICMPMessage)
        /// A fragment after the first: its bytes continue a transport header seen earlier.
        case laterFragment
        /// A protocol this decoder does not read (by its IANA number), or one cut off before its header.
        case other
    }

    public var network: Network
    public var transport: Transport

    public var source: IPAddress {
        switch network {
        case .v4(let ip): ip.source
        case .v6(let ip): ip.source
        }
    }

    public var destination: IPAddress {
        switch network {
        case .v4(let ip): ip.destination
        case .v6(let ip): ip.destination
        }
    }

    /// The transport protocol's number (after IPv6's extension headers).
    public var protocolNumber: UInt8 {
        switch network {
        case .v4(let ip): ip.protocolNumber
        case .v6(let ip): ip.upperLayer
        }
    }

    /// TTL or hop limit.
    public var hopLimit: UInt8 {
        switch network {
        case .v4(let ip): ip.ttl
        case .v6(let ip): ip.hopLimit
        }
    }

    public var tcp: TCPSegment? {
        if case .tcp(let segment) = transport { return segment }
        return nil
    }

    public var udp: UDPDatagram? {
        if case .udp(let datagram) = transport { return datagram }
        return nil
    }

    public var icmp: ICMPMessage? {
        if case .icmp(let message) = transport { return message }
        return nil
    }
}

extension IPPacket {
    /// Reads the transport message after an IP header. `length` is what the IP header says it
    /// carries; a fragment's checksum cannot be judged, and a later fragment has no header.
    static func readTransport(_ protocolNumber: UInt8, from reader: inout PacketReader, length: Int, isV6: Bool,
                              pseudo: PseudoHeader, laterFragment: Bool) throws(DecodeFailure) -> Transport {
        if laterFragment { return .laterFragment }
        switch protocolNumber {
        case 6: return .tcp(try TCPSegment.read(from: &reader, length: length, pseudo: pseudo))
        case 17: return .udp(try UDPDatagram.read(from: &reader, ipLength: length, pseudo: pseudo))
        case 1 where !isV6, 58 where isV6:
            return .icmp(try ICMPMessage.read(from: &reader, length: length, isV6: isV6, pseudo: pseudo))
        default: return .other
        }
    }
}
