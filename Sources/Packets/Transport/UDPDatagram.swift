/// A UDP header (RFC 768) and its payload's length.
public struct UDPDatagram: Equatable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The header's length field: header and payload.
    public var length: UInt16
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    public var payloadLength: Int { Swift.max(0, Int(length) - 8) }

    /// Reads a datagram the IP header says is `ipLength` bytes long.
    static func read(from reader: inout PacketReader, ipLength: Int, pseudo: PseudoHeader) throws(DecodeFailure) -> UDPDatagram {
        let start = reader.offset
        let sourcePort = try reader.u16("UDP source port")
        let destinationPort = try reader.u16("UDP destination port")
        let length = try reader.u16("UDP length")
        let checksum = try reader.u16("UDP checksum")
        guard length >= 8 else { throw .malformed("UDP length \(length) is below the 8-byte header") }
        guard Int(length) <= ipLength else { throw .malformed("UDP length \(length) runs past the \(ipLength) bytes IP carries") }
        let status: ChecksumStatus = checksum == 0 && pseudo.destination.family == .v4
            ? .absent : pseudo.judge(reader.bytes, from: start, length: Int(length), field: checksum)
        return UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, length: length,
                           checksum: checksum, checksumStatus: status)
    }
}
