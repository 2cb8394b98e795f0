import Addresses

/// The ICMPv6 checksum (RFC 4443 section 2.3): the Internet checksum over the IPv6
/// pseudo-header (source, destination, upper-layer length, next header 58) and the message.
enum ICMPv6Checksum {
    /// The checksum the message should carry (its own when it is right).
    static func expected(source: IPAddress, destination: IPAddress, message: UnsafeRawBufferPointer) -> UInt16 {
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocolNumber: 58, length: message.count)
        sum.add(message)
        let field = message.count >= 4 ? UInt16(message[2]) << 8 | UInt16(message[3]) : 0
        if case .invalid(let expected) = ChecksumStatus.judge(sum, field: field, covered: true) { return expected }
        return field
    }
}
