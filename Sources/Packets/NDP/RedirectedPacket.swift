import Addresses

/// The start of the packet that triggered a Redirect, as carried in the Redirected Header
/// option: as much of it as fit, decoded as far as it goes.
public struct RedirectedPacket: Equatable, Sendable {
    public var source: IPAddress?
    public var destination: IPAddress?
    public var nextHeader: UInt8?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var icmpType: UInt8?
    /// Bytes of the original packet the option carried.
    public var length: Int

    static func read(from reader: inout PacketReader) -> RedirectedPacket {
        var packet = RedirectedPacket(length: reader.remaining)
        var inner = reader
        defer { reader = PacketReader(reader.bytes, offset: reader.bytes.count) }
        guard let header = try? IPv6Header.read(from: &inner) else { return packet }
        packet.source = header.source
        packet.destination = header.destination
        packet.nextHeader = header.upperLayer
        switch header.upperLayer {
        case 6, 17:
            packet.sourcePort = try? inner.u16("source port")
            packet.destinationPort = try? inner.u16("destination port")
        case 58:
            packet.icmpType = try? inner.u8("ICMPv6 type")
        default:
            break
        }
        return packet
    }
}
