import Addresses

/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
/// 16-bit words. IPv4 headers, UDP, TCP, ICMP and ICMPv6 all use it; the transports add a
/// pseudo-header of addresses, protocol and length.
struct InternetChecksum {
    private var sum: UInt64 = 0

    /// Adds `bytes`, whose length must be even unless it is the last part added.
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        // Big-endian 32-bit words summed in 64 bits; folding at the end gives the 16-bit sum.
        while index + 4 <= bytes.count {
            sum += UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
            index += 4
        }
        while index + 1 < bytes.count {
            sum += UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt64(bytes[index]) << 8 }
    }

    mutating func add(_ value: UInt64) { sum += value }

    /// The pseudo-header of RFC 768/793 (IPv4) or RFC 8200 section 8.1 (IPv6).
    mutating func addPseudoHeader(source: IPAddress, destination: IPAddress, protocolNumber: UInt8, length: Int) {
        sum += Self.words(source.value) + Self.words(destination.value) + UInt64(protocolNumber) + UInt64(length)
    }

    /// The folded sum: 0xffff over data that holds a correct checksum.
    var folded: UInt16 {
        var value = sum
        while value > 0xffff { value = (value & 0xffff) + (value >> 16) }
        return UInt16(value)
    }

    /// An address's 32-bit words, summed (an IPv4 address is one word).
    private static func words(_ address: UInt128) -> UInt64 {
        UInt64(truncatingIfNeeded: address >> 96) + UInt64(truncatingIfNeeded: address >> 64 & 0xffff_ffff)
            + UInt64(truncatingIfNeeded: address >> 32 & 0xffff_ffff) + UInt64(truncatingIfNeeded: address & 0xffff_ffff)
    }
}

/// What a packet's checksum says, as far as the capture lets us judge it.
public enum ChecksumStatus: Equatable, Sendable {
    case valid
    /// Wrong: `expected` is what the field should hold.
    case invalid(expected: UInt16)
    /// UDP over IPv4 may leave it zero: the sender computed none.
    case absent
    /// The capture holds only part of what the checksum covers (a snapshot length, a fragment).
    case unverifiable

    /// Judges a checksum over `covered`, with the field itself in place (a correct one folds to 0xffff).
    static func judge(_ checksum: InternetChecksum, field: UInt16, covered: Bool) -> ChecksumStatus {
        guard covered else { return .unverifiable }
        let folded = checksum.folded
        if folded == 0xffff { return .valid }
        // The sum without the field, complemented, is what the field should have been.
        var without = UInt32(folded) + UInt32(~field)
        while without > 0xffff { without = (without & 0xffff) + (without >> 16) }
        return .invalid(expected: ~UInt16(without))
    }
}
