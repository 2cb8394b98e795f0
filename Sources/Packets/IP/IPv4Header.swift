import Addresses

/// The IPv4 header (RFC 791), its options kept as bytes and walked by `IPv4Option.all`.
public struct IPv4Header: Equatable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    /// Bytes, 20 to 60.
    public var headerLength: Int
    /// DSCP (high six bits) and ECN (low two).
    public var typeOfService: UInt8
    public var totalLength: UInt16
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// In bytes (the field counts 8-byte units).
    public var fragmentOffset: Int
    public var ttl: UInt8
    public var protocolNumber: UInt8
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    public var options: OptionBytes

    /// One piece of a datagram the sender fragmented.
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    /// Bytes after the header, as the header states them; for a total length of 0 (a TSO or BIG
    /// TCP super-segment captured before the card split it), as many as the capture holds.
    public var payloadLength: Int
    /// The total length field was 0: the payload was sized from the capture.
    public var lengthFromCapture: Bool { totalLength == 0 }

    /// Reads the header (and verifies its checksum); leaves `reader` at the payload.
    static func read(from reader: inout PacketReader) throws(DecodeFailure) -> IPv4Header {
        let start = reader.offset
        let versionAndLength = try reader.u8("IPv4 version/header length")
        guard versionAndLength >> 4 == 4 else { throw .malformed("IP version \(versionAndLength >> 4) in an IPv4 packet") }
        let headerLength = Int(versionAndLength & 0x0f) * 4
        guard headerLength >= 20 else { throw .malformed("IPv4 header length \(headerLength) is below the minimum 20") }
        let typeOfService = try reader.u8("IPv4 type of service")
        let totalLength = try reader.u16("IPv4 total length")
        guard Int(totalLength) >= headerLength || totalLength == 0 else {
            throw .malformed("IPv4 total length \(totalLength) is shorter than its \(headerLength)-byte header")
        }
        let identification = try reader.u16("IPv4 identification")
        let fragment = try reader.u16("IPv4 flags/fragment offset")
        let ttl = try reader.u8("IPv4 TTL")
        let protocolNumber = try reader.u8("IPv4 protocol")
        let checksum = try reader.u16("IPv4 header checksum")
        let source = try reader.ipv4("IPv4 source")
        let destination = try reader.ipv4("IPv4 destination")
        let options = try reader.sub(headerLength - 20, "IPv4 options")
        var sum = InternetChecksum()
        sum.add(UnsafeRawBufferPointer(rebasing: reader.bytes[start..<(start + headerLength)]))
        let payloadLength = totalLength == 0 ? reader.remaining : Int(totalLength) - headerLength
        return IPv4Header(
            source: source, destination: destination, headerLength: headerLength, typeOfService: typeOfService,
            totalLength: totalLength, identification: identification, dontFragment: fragment & 0x4000 != 0,
            moreFragments: fragment & 0x2000 != 0, fragmentOffset: Int(fragment & 0x1fff) * 8, ttl: ttl,
            protocolNumber: protocolNumber, checksum: checksum,
            checksumStatus: .judge(sum, field: checksum, covered: true), options: OptionBytes(options.bytes),
            payloadLength: payloadLength)
    }
}

/// One IPv4 option (RFC 791 section 3.1, IANA's "IP Option Numbers").
public struct IPv4Option: Equatable, Sendable {
    public var kind: UInt8
    /// The bytes after the kind and length octets.
    public var data: [UInt8]

    /// tcpdump's short names.
    public var name: String {
        switch kind {
        case 0: "EOL"
        case 1: "NOP"
        case 7: "RR"
        case 68: "TS"
        case 130: "SEC"
        case 131: "LSRR"
        case 133: "E-SEC"
        case 136: "SID"
        case 137: "SSRR"
        case 148: "RA"
        case 82: "TR"
        default: "unknown-\(kind)"
        }
    }

    /// The options in order; a length that runs past the header ends the walk with `malformed`.
    public static func all(_ options: OptionBytes) -> (options: [IPv4Option], malformed: Bool) {
        options.withBytes { bytes in
            var list: [IPv4Option] = []
            var index = 0
            while index < bytes.count {
                let kind = bytes[index]
                if kind == 0 || kind == 1 {
                    list.append(IPv4Option(kind: kind, data: []))
                    index += 1
                    if kind == 0 { break }
                    continue
                }
                guard index + 1 < bytes.count, bytes[index + 1] >= 2, index + Int(bytes[index + 1]) <= bytes.count else {
                    return (list, true)
                }
                let length = Int(bytes[index + 1])
                list.append(IPv4Option(kind: kind, data: Array(bytes[(index + 2)..<(index + length)])))
                index += length
            }
            return (list, false)
        }
    }
}
