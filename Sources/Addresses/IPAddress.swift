/// An IPv4 or IPv6 address. Both live in a `UInt128` so prefix arithmetic is one code path;
/// an IPv4 address uses the low 32 bits.
public struct IPAddress: Hashable, Sendable, Comparable {
    public enum Family: Int, Sendable {
        case v4 = 4
        case v6 = 6

        public var bitWidth: Int { self == .v4 ? 32 : 128 }
    }

    public let family: Family
    // Stored as two halves, not a UInt128: values with 16-byte alignment captured by async
    // closures crashed at run time on Swift 6.3.1 (Linux x86_64), and endpoints travel into
    // NIO's async closures.
    private let high: UInt64
    private let low: UInt64

    public var value: UInt128 { UInt128(high) << 64 | UInt128(low) }

    public init(family: Family, value: UInt128) {
        self.family = family
        self.high = UInt64(truncatingIfNeeded: value >> 64)
        self.low = UInt64(truncatingIfNeeded: value)
    }

    public static func v4(_ value: UInt32) -> IPAddress { IPAddress(family: .v4, value: UInt128(value)) }
    public static func v6(_ value: UInt128) -> IPAddress { IPAddress(family: .v6, value: value) }

    /// The low 32 bits as an IPv4 address (embedded addresses in IPv6 forms).
    public var low32: IPAddress { .v4(UInt32(truncatingIfNeeded: value)) }

    public var isMulticast: Bool {
        family == .v4 ? (value >> 28) == 0xE : (value >> 120) == 0xFF
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.family.rawValue, lhs.value) < (rhs.family.rawValue, rhs.value)
    }
}

extension IPAddress: CustomStringConvertible {
    /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(41)
        AddressFormatter.append(self, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension IPAddress {
    /// Parses a plain address (no prefix, no zone). Convenience for tests and callers that
    /// already split those off; the full grammar is `AddressInput.parse`.
    public init?(_ text: String) {
        guard let input = try? AddressInput.parse(text), input.prefixLength == nil, input.zone == nil else { return nil }
        self = input.address
    }
}
