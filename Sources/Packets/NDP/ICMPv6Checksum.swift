import Addresses

/// The ICMPv6 checksum (RFC 4443 section 2.3): the ones' complement sum over the IPv6
/// pseudo-header (source, destination, upper-layer length, next header 58) and the message.
enum ICMPv6Checksum {
    /// The checksum the message should carry, computed with its checksum field taken as zero.
    static func expected(source: IPAddress, destination: IPAddress, message: UnsafeRawBufferPointer) -> UInt16 {
        var sum = words(source.value) + words(destination.value)
        sum += UInt64(message.count) + 58
        // Big-endian 32-bit words summed in 64 bits; folding at the end gives the 16-bit sum.
        var index = 0
        while index + 4 <= message.count {
            var word = UInt64(UInt32(bigEndian: message.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
            if index == 0 { word &= 0xffff_0000 }  // the checksum field counts as zero
            sum += word
            index += 4
        }
        while index + 1 < message.count {
            sum += UInt64(message[index]) << 8 | UInt64(message[index + 1])
            index += 2
        }
        if index < message.count { sum += UInt64(message[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// An address's four 32-bit words, summed.
    private static func words(_ address: UInt128) -> UInt64 {
        UInt64(truncatingIfNeeded: address >> 96) + UInt64(truncatingIfNeeded: address >> 64 & 0xffff_ffff)
            + UInt64(truncatingIfNeeded: address >> 32 & 0xffff_ffff) + UInt64(truncatingIfNeeded: address & 0xffff_ffff)
    }
}
