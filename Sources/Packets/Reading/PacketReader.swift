import Addresses

/// A bounds-checked, big-endian cursor over captured bytes. Every read either succeeds or
/// throws `.truncated` naming the field it wanted, so a decoder can stop exactly where the
/// bytes ran out and say why.
public struct PacketReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    @inline(__always)
    mutating func require(_ count: Int, _ field: StaticString) throws(DecodeFailure) {
        // A negative count (a length field minus its header, gone below zero) would build a
        // backwards range and trap: it is as truncated as one past the end.
        guard count >= 0, count <= remaining else { throw .truncated(Truncated(field: field, needed: count, available: remaining)) }
    }

    public mutating func u8(_ field: StaticString) throws(DecodeFailure) -> UInt8 {
        try require(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16(_ field: StaticString) throws(DecodeFailure) -> UInt16 {
        try require(2, field)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func u32(_ field: StaticString) throws(DecodeFailure) -> UInt32 {
        try require(4, field)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    public mutating func mac(_ field: StaticString) throws(DecodeFailure) -> MACAddress {
        try require(6, field)
        defer { offset += 6 }
        var value: UInt64 = 0
        for index in offset..<(offset + 6) { value = value << 8 | UInt64(bytes[index]) }
        return MACAddress(value)
    }

    public mutating func ipv4(_ field: StaticString) throws(DecodeFailure) -> IPAddress {
        .v4(try u32(field))
    }

    public mutating func ipv6(_ field: StaticString) throws(DecodeFailure) -> IPAddress {
        try require(16, field)
        defer { offset += 16 }
        let high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        return .v6(UInt128(high) << 64 | UInt128(low))
    }

    /// The next `count` bytes, copied out (for rarely seen fields: odd address sizes, option data).
    public mutating func copy(_ count: Int, _ field: StaticString) throws(DecodeFailure) -> [UInt8] {
        try require(count, field)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A reader over the next `count` bytes, which this reader then skips.
    public mutating func sub(_ count: Int, _ field: StaticString) throws(DecodeFailure) -> PacketReader {
        try require(count, field)
        defer { offset += count }
        return PacketReader(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }

    public mutating func skip(_ count: Int, _ field: StaticString) throws(DecodeFailure) {
        try require(count, field)
        offset += count
    }

    /// Up to `count` bytes: fewer when the capture ends first.
    public mutating func upTo(_ count: Int) -> UnsafeRawBufferPointer {
        let taken = Swift.max(0, Swift.min(count, remaining))
        defer { offset += taken }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + taken)])
    }
}

/// The bytes ended before a field did.
public struct Truncated: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let needed: Int
    public let available: Int

    public init(field: StaticString, needed: Int, available: Int) {
        self.field = field.description
        self.needed = needed
        self.available = available
    }

    public var description: String {
        "truncated at \(field): needs \(needed) byte\(needed == 1 ? "" : "s"), \(available) left"
    }
}

/// Why decoding stopped early. What was read before the failure is kept by the caller.
public enum DecodeFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(Truncated)
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated(let truncated): truncated.description
        case .malformed(let reason): reason
        }
    }
}
