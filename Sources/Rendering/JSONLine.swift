/// Builds one JSON object (or array) as UTF-8 bytes, keys in the order they are written.
///
/// Hand-written rather than `JSONEncoder`: key order is part of our output contract, and batch
/// commands emit millions of lines, so every line is appended straight into one byte buffer.
public struct JSONLine: Sendable {
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the line for reuse, keeping its storage (one allocation for a whole batch).
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// Writes `"key":`; the next value call supplies its value.
    public mutating func key(_ key: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separator()
        var value = value
        value.withUTF8 { appendEscaped($0) }
        needsComma = true
    }

    /// A JSON string from raw bytes that may not be valid UTF-8 (e.g. a line read from stdin).
    /// Invalid sequences become U+FFFD so the output is always valid JSON.
    public mutating func string<C: Collection>(bytes raw: C) where C.Element == UInt8 {
        if let done: Void = raw.withContiguousStorageIfAvailable({ buffer in
            if Self.isValidUTF8(buffer) { separator(); appendEscaped(buffer); needsComma = true }
            else { string(String(decoding: buffer, as: UTF8.self)) }
        }) { return done }
        string(String(decoding: raw, as: UTF8.self))
    }

    public mutating func string(_ value: StaticString) {
        separator()
        value.withUTF8Buffer { appendEscaped($0) }
        needsComma = true
    }

    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        separator()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        separator()
        appendDecimal(value)
        needsComma = true
    }

    public mutating func double(_ value: Double, fractionDigits: Int = 3) {
        separator()
        if value.isFinite {
            bytes.append(contentsOf: Array(formatFixed(value, fractionDigits: fractionDigits).utf8))
        } else {
            bytes.append(contentsOf: Self.nullBytes)
        }
        needsComma = true
    }

    public mutating func null() {
        separator()
        bytes.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    /// Appends an already-encoded JSON value (for example another `JSONLine`'s bytes).
    public mutating func raw(_ encoded: [UInt8]) {
        separator()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Appends raw bytes that are known to need no escaping (ASCII digits, dots, colons, hex).
    public mutating func plainString(_ write: (inout [UInt8]) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        write(&bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendDecimal<I: BinaryInteger>(_ value: I) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
        } else {
            bytes.append(contentsOf: Array(String(magnitude).utf8))
        }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for byte in buffer {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7f:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xf)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        // Fast path: pure ASCII is by far the common case for addresses and port names.
        for byte in buffer where byte >= 0x80 {
            return String(validating: buffer, as: UTF8.self) != nil
        }
        return true
    }
}

/// Formats `value` with exactly `fractionDigits` digits after the point, without Foundation.
public func formatFixed(_ value: Double, fractionDigits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    var scale = 1.0
    for _ in 0..<fractionDigits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9.0e18 else { return String(value) }
    let total = UInt64(scaled)
    let whole = total / UInt64(scale)
    var text = (value < 0 && total != 0 ? "-" : "") + String(whole)
    if fractionDigits > 0 {
        let fraction = String(total % UInt64(scale))
        text += "." + String(repeating: "0", count: fractionDigits - fraction.count) + fraction
    }
    return text
}
