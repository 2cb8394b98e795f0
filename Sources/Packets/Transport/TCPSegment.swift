import Addresses

/// A TCP header (RFC 9293 section 3.1) and what follows it. Sequence numbers are as on the
/// wire; making them relative to a connection's first is the connection tracker's job.
public struct TCPSegment: Equatable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    /// Bytes, 20 to 60.
    public var headerLength: Int
    public var flags: TCPFlags
    public var window: UInt16
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    public var urgentPointer: UInt16
    public var options: OptionBytes
    /// Data bytes, per the IP header's length (the capture may hold fewer).
    public var payloadLength: Int

    /// Reads a segment of `length` bytes (per the IP header) from `reader`, verifying its
    /// checksum over the pseudo-header when the capture holds all of it.
    static func read(from reader: inout PacketReader, length: Int, pseudo: PseudoHeader) throws(DecodeFailure) -> TCPSegment {
        let start = reader.offset
        let sourcePort = try reader.u16("TCP source port")
        let destinationPort = try reader.u16("TCP destination port")
        let sequence = try reader.u32("TCP sequence number")
        let acknowledgment = try reader.u32("TCP acknowledgment number")
        let offsetAndFlags = try reader.u16("TCP data offset/flags")
        let headerLength = Int(offsetAndFlags >> 12) * 4
        guard headerLength >= 20 else { throw .malformed("TCP header length \(headerLength) is below the minimum 20") }
        guard headerLength <= length else { throw .malformed("TCP header length \(headerLength) runs past the \(length)-byte segment") }
        let window = try reader.u16("TCP window")
        let checksum = try reader.u16("TCP checksum")
        let urgentPointer = try reader.u16("TCP urgent pointer")
        let options = try reader.sub(headerLength - 20, "TCP options")
        return TCPSegment(
            sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence, acknowledgment: acknowledgment,
            headerLength: headerLength, flags: TCPFlags(rawValue: offsetAndFlags & 0x1ff), window: window, checksum: checksum,
            checksumStatus: pseudo.judge(reader.bytes, from: start, length: length, field: checksum),
            urgentPointer: urgentPointer, options: OptionBytes(options.bytes), payloadLength: length - headerLength)
    }
}

/// The control bits, with tcpdump's letters.
public struct TCPFlags: OptionSet, Equatable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    /// Accurate ECN (RFC 9768), formerly NS.
    public static let ae = TCPFlags(rawValue: 0x100)

    /// In tcpdump's order, with its letter and the name JSON uses.
    public static let named: [(flag: TCPFlags, letter: UInt8, name: StaticString)] = [
        (.syn, UInt8(ascii: "S"), "SYN"), (.fin, UInt8(ascii: "F"), "FIN"), (.psh, UInt8(ascii: "P"), "PSH"),
        (.rst, UInt8(ascii: "R"), "RST"), (.urg, UInt8(ascii: "U"), "URG"), (.ece, UInt8(ascii: "E"), "ECE"),
        (.cwr, UInt8(ascii: "W"), "CWR"), (.ae, UInt8(ascii: "e"), "AE"), (.ack, UInt8(ascii: "."), "ACK"),
    ]
}

/// The addresses, protocol and length the transport checksums cover besides the segment.
struct PseudoHeader {
    var source: IPAddress
    var destination: IPAddress
    var protocolNumber: UInt8
    /// False for a fragment: the checksum covers the whole datagram, which one fragment does not hold.
    var whole = true

    /// Judges the checksum of the `length` bytes at `start` of `bytes`.
    func judge(_ bytes: UnsafeRawBufferPointer, from start: Int, length: Int, field: UInt16) -> ChecksumStatus {
        guard whole, start + length <= bytes.count else { return .unverifiable }
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocolNumber: protocolNumber, length: length)
        sum.add(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
        return .judge(sum, field: field, covered: true)
    }
}
