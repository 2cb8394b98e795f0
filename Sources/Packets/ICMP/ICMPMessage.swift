import Addresses

/// An ICMP (RFC 792) or ICMPv6 (RFC 4443) message: type, code, the four bytes after the
/// checksum (identifier and sequence, an MTU, a pointer, a gateway), and for an error the
/// datagram it quotes.
public struct ICMPMessage: Equatable, Sendable {
    public var isV6: Bool
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    /// Bytes 4 to 7 of the message.
    public var rest: UInt32
    /// Bytes after the first eight.
    public var payloadLength: Int
    /// What an error message quotes of the datagram that caused it.
    public var quoted: QuotedDatagram?

    public var identifier: UInt16 { UInt16(truncatingIfNeeded: rest >> 16) }
    public var sequence: UInt16 { UInt16(truncatingIfNeeded: rest) }

    /// Whether this type carries a quoted datagram.
    public var isError: Bool {
        if isV6 { return type < 128 }
        switch type {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }
    public var isEcho: Bool { isV6 ? type == 128 || type == 129 : type == 8 || type == 0 }

    static func read(from reader: inout PacketReader, length: Int, isV6: Bool, pseudo: PseudoHeader) throws(DecodeFailure) -> ICMPMessage {
        let start = reader.offset
        let type = try reader.u8(isV6 ? "ICMPv6 type" : "ICMP type")
        let code = try reader.u8(isV6 ? "ICMPv6 code" : "ICMP code")
        let checksum = try reader.u16(isV6 ? "ICMPv6 checksum" : "ICMP checksum")
        let rest = length >= 8 ? try reader.u32(isV6 ? "ICMPv6 message body" : "ICMP message body") : 0
        let status: ChecksumStatus
        if isV6 {
            status = pseudo.judge(reader.bytes, from: start, length: length, field: checksum)
        } else if start + length <= reader.bytes.count && pseudo.whole {
            var sum = InternetChecksum()
            sum.add(UnsafeRawBufferPointer(rebasing: reader.bytes[start..<(start + length)]))
            status = .judge(sum, field: checksum, covered: true)
        } else {
            status = .unverifiable
        }
        var message = ICMPMessage(isV6: isV6, type: type, code: code, checksum: checksum, checksumStatus: status,
                                  rest: rest, payloadLength: Swift.max(0, length - 8), quoted: nil)
        if message.isError && length > 8 {
            var inner = PacketReader(reader.upTo(length - 8))
            message.quoted = QuotedDatagram.read(from: &inner, isV6: isV6)
        }
        return message
    }
}

/// The start of the datagram an ICMP error quotes: enough to name the connection it hit.
public struct QuotedDatagram: Equatable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var protocolNumber: UInt8
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    /// Nil when not even the quoted IP header is there.
    static func read(from reader: inout PacketReader, isV6: Bool) -> QuotedDatagram? {
        let source: IPAddress, destination: IPAddress, protocolNumber: UInt8
        do {
            if isV6 {
                let ip = try IPv6Header.read(from: &reader)
                (source, destination, protocolNumber) = (ip.source, ip.destination, ip.upperLayer)
            } else {
                let ip = try IPv4Header.read(from: &reader)
                (source, destination, protocolNumber) = (ip.source, ip.destination, ip.protocolNumber)
            }
        } catch {
            return nil
        }
        var quoted = QuotedDatagram(source: source, destination: destination, protocolNumber: protocolNumber)
        // TCP, UDP, SCTP and DCCP all start with the two ports.
        let hasPorts = protocolNumber == 6 || protocolNumber == 17 || protocolNumber == 132 || protocolNumber == 33
        if hasPorts, let ports = try? reader.u32("quoted ports") {
            quoted.sourcePort = UInt16(truncatingIfNeeded: ports >> 16)
            quoted.destinationPort = UInt16(truncatingIfNeeded: ports)
        }
        return quoted
    }
}
