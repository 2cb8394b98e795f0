/// A network: an address whose host bits are all zero, and a prefix length.
public struct IPPrefix: Hashable, Sendable {
    public let network: IPAddress
    public let length: Int

    /// For tables whose networks are known to be aligned (the generated registries).
    init(uncheckedNetwork network: IPAddress, length: Int) {
        self.network = network
        self.length = length
    }

    /// The prefix of `length` bits that contains `address`.
    public init(containing address: IPAddress, length: Int) {
        precondition(length >= 0 && length <= address.family.bitWidth)
        self.network = IPAddress(family: address.family, value: address.value & Self.mask(length, address.family))
        self.length = length
    }

    public var family: IPAddress.Family { network.family }
    public var hostBits: Int { family.bitWidth - length }

    /// Network mask as a value in the family's width (e.g. 0xFFFFFF00 for an IPv4 /24).
    public static func mask(_ length: Int, _ family: IPAddress.Family) -> UInt128 {
        let width = family.bitWidth
        if length == 0 { return 0 }
        let all: UInt128 = width == 128 ? .max : (UInt128(1) << width) - 1
        return all ^ Self.hostMask(width - length)
    }

    static func hostMask(_ hostBits: Int) -> UInt128 {
        hostBits >= 128 ? .max : (UInt128(1) << hostBits) - 1
    }

    public var netmask: IPAddress { IPAddress(family: family, value: Self.mask(length, family)) }
    public var wildcard: IPAddress { IPAddress(family: family, value: Self.hostMask(hostBits)) }
    public var lastAddress: IPAddress { IPAddress(family: family, value: network.value | Self.hostMask(hostBits)) }

    public func contains(_ address: IPAddress) -> Bool {
        address.family == family && (address.value & Self.mask(length, family)) == network.value
    }

    /// Number of addresses, in decimal (an IPv6 /0 holds 2^128, one more than UInt128 can).
    public var addressCount: String {
        hostBits == 128 ? "340282366920938463463374607431768211456" : String(UInt128(1) << hostBits)
    }

    /// Usable host addresses, the way ipcalc and Python's `hosts()` count them:
    /// IPv4 drops network and broadcast except on /31 (RFC 3021, point-to-point) and /32;
    /// IPv6 drops the Subnet-Router anycast address (RFC 4291 2.6.1) except on /127 (RFC 6164) and /128.
    public var usableHostCount: String {
        switch (family, hostBits) {
        case (.v4, 0...1), (.v6, 0...1): return String(UInt128(1) << hostBits)
        case (.v4, _): return String((UInt128(1) << hostBits) - 2)
        case (.v6, 128): return String(UInt128.max)
        case (.v6, _): return String((UInt128(1) << hostBits) - 1)
        }
    }

    /// First and last usable host addresses under the same rules as `usableHostCount`.
    public var usableRange: (first: IPAddress, last: IPAddress) {
        if hostBits <= 1 { return (network, lastAddress) }
        let first = IPAddress(family: family, value: network.value + 1)
        let last = family == .v4 ? IPAddress(family: family, value: lastAddress.value - 1) : lastAddress
        return (first, last)
    }

    /// IPv4 directed broadcast; nil for IPv6 (which has none) and for /31 and /32.
    public var broadcast: IPAddress? {
        family == .v4 && hostBits > 1 ? lastAddress : nil
    }
}

extension IPPrefix: CustomStringConvertible {
    public var description: String {
        var bytes: [UInt8] = []
        AddressFormatter.append(network, to: &bytes, mixedNotation: false)
        return String(decoding: bytes, as: UTF8.self) + "/\(length)"
    }
}
