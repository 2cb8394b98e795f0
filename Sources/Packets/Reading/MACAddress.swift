/// A 48-bit IEEE 802 MAC address, kept in the low bits of a `UInt64`.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xffff_ffff_ffff }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard (1...2).contains(part.count), let byte = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        self.init(value)
    }

    public static let zero = MACAddress(0)
    public static let broadcast = MACAddress(0xffff_ffff_ffff)

    /// The first three bytes, the IEEE Organizationally Unique Identifier.
    public var oui: UInt32 { UInt32(value >> 24) }

    /// Calls `body` with the `aa:bb:cc:dd:ee:ff` text, formatted on the stack.
    public func withText<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 17) { buffer in
            for index in 0..<6 {
                let byte = UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64(index)))
                buffer[index * 3] = hexDigit(byte >> 4)
                buffer[index * 3 + 1] = hexDigit(byte & 0xf)
                if index < 5 { buffer[index * 3 + 2] = UInt8(ascii: ":") }
            }
            return body(UnsafeBufferPointer(buffer))
        }
    }

    public var description: String { withText { String(decoding: $0, as: UTF8.self) } }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.value < rhs.value }
}

@inline(__always)
func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}
