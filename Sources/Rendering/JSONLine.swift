#if canImport(Glibc)
import Glibc
#endif

/// Builds JSON as UTF-8 bytes, keys in the order they are written.
///
/// Hand-written rather than `JSONEncoder`: key order is part of our output contract, and batch
/// commands emit millions of lines. It owns a plain growable buffer (noncopyable, so it never
/// needs copy-on-write checks) and can hold many lines: `endLine()` ends one and starts the next.
///
/// The primitives every record uses (keys, literals, punctuation) are `@inlinable`: inlined into
/// the caller with a literal key, the copy has a length known at compile time and becomes a few
/// moves instead of a call to memmove (capture -r --json writes some twenty keys per packet).
public struct JSONLine: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var used = 0
    @usableFromInline var needsComma = false

    /// Bytes written so far.
    public var count: Int { used }

    public init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A copy of what has been written.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: used)) }

    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: used))
    }

    /// Empties the buffer for reuse, keeping its storage.
    public mutating func reset() {
        used = 0
        needsComma = false
    }

    /// Ends a JSON Lines record with `\n`; the next value starts a new record.
    @inlinable
    public mutating func endLine() {
        put(UInt8(ascii: "\n"))
        needsComma = false
    }

    /// Plain text outside any JSON structure (human output sharing the same buffer).
    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { append($0) }
    }

    /// Fixed text; cheaper than `text(String)` (no String to unpack).
    @inlinable
    public mutating func literal(_ value: StaticString) {
        appendStatic(value)
    }

    public mutating func text(bytes: UnsafeBufferPointer<UInt8>) {
        append(bytes)
    }

    @inlinable
    public mutating func textByte(_ byte: UInt8) {
        put(byte)
    }

    /// A decimal integer as plain text.
    public mutating func textInt<I: BinaryInteger>(_ value: I) {
        if value < 0 {
            put(UInt8(ascii: "-"))
            appendDecimal(UInt64(truncatingIfNeeded: value.magnitude))
        } else {
            appendDecimal(UInt64(truncatingIfNeeded: value))
        }
    }

    @inlinable public mutating func beginObject() { separator(); put(UInt8(ascii: "{")); needsComma = false }
    @inlinable public mutating func endObject() { put(UInt8(ascii: "}")); needsComma = true }
    @inlinable public mutating func beginArray() { separator(); put(UInt8(ascii: "[")); needsComma = false }
    @inlinable public mutating func endArray() { put(UInt8(ascii: "]")); needsComma = true }

    /// The one key that names a record's type in every command's JSON Lines (`listening`,
    /// `request`, `datagram`, `summary`, `packet`, …): a stream of mixed records is told apart by it.
    public static let recordKey: StaticString = "event"

    /// Writes the record-type member, `"event":"TYPE"`; first in every record that has one.
    @inlinable
    public mutating func record(_ type: StaticString) {
        key(Self.recordKey)
        string(type)
    }

    /// One whole JSON Lines object as bytes: `{…fields…}` and its newline.
    public static func object(_ fields: (inout JSONLine) -> Void) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        fields(&json)
        json.endObject()
        json.endLine()
        return json.bytes
    }

    /// One whole JSON Lines record as bytes: `{"event":"TYPE", …fields…}` and its newline.
    public static func record(_ type: StaticString, _ fields: (inout JSONLine) -> Void) -> [UInt8] {
        object { json in
            json.record(type)
            fields(&json)
        }
    }

    // `"key":value` in one call, by the value's type; a nil optional is written as null.
    public mutating func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    @inlinable public mutating func field(_ name: StaticString, _ value: StaticString) { key(name); string(value) }
    public mutating func field(_ name: StaticString, _ value: String?) { key(name); optionalString(value) }
    @inlinable public mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    public mutating func field<I: BinaryInteger>(_ name: StaticString, _ value: I) { key(name); int(value) }
    public mutating func field<I: BinaryInteger>(_ name: StaticString, _ value: I?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    /// `"key":[…]`: one element per item, each written by `element`.
    public mutating func array<S: Sequence>(_ name: StaticString, _ items: S, _ element: (inout JSONLine, S.Element) -> Void) {
        key(name)
        beginArray()
        for item in items { element(&self, item) }
        endArray()
    }

    /// `"key":[{…},{…}]`: one object per item, its fields written by `fields`.
    public mutating func objects<S: Sequence>(_ name: StaticString, _ items: S, _ fields: (inout JSONLine, S.Element) -> Void) {
        array(name, items) { json, item in
            json.beginObject()
            fields(&json, item)
            json.endObject()
        }
    }

    /// A number with `digits` decimals (`"seconds":1.500000`).
    public mutating func field(_ name: StaticString, _ value: Double, digits: Int) {
        key(name)
        unescapedNumber(fixed(value, digits))
    }

    /// A duration in milliseconds with three decimals (`"duration_ms":12.345`).
    public mutating func field(_ name: StaticString, milliseconds duration: Duration) {
        field(name, duration.seconds * 1000, digits: 3)
    }

    /// Writes `"key":`; the next value call supplies its value. Keys are our own literals and
    /// never need escaping.
    @inlinable @inline(__always)
    public mutating func key(_ key: StaticString) {
        separator()
        quoted(key)
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { escapedString($0) }
    }

    /// A literal of ours (a record type, a protocol name): written as it is, since no literal
    /// in nettool holds a quote, a backslash or a control character (checked in debug builds).
    @inlinable @inline(__always)
    public mutating func string(_ value: StaticString) {
        assert(value.withUTF8Buffer { Self.needsNoEscaping($0) }, "a JSON string literal that needs escaping: \(value)")
        separator()
        quoted(value)
        needsComma = true
    }

    /// `"text"`, unescaped: for our own literals only.
    @inlinable @inline(__always)
    mutating func quoted(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount + 2)
        base[used] = UInt8(ascii: "\"")
        (base + used + 1).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        used += text.utf8CodeUnitCount + 1
        base[used] = UInt8(ascii: "\"")
        used += 1
    }

    @usableFromInline
    static func needsNoEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        !utf8.contains { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    /// A JSON string from valid UTF-8, escaped as JSON requires.
    @inline(__always)
    private mutating func escapedString(_ utf8: UnsafeBufferPointer<UInt8>) {
        separator()
        appendEscaped(utf8)
        needsComma = true
    }

    /// A JSON string from raw bytes that may not be valid UTF-8 (e.g. a line read from stdin).
    /// Invalid sequences become U+FFFD so the output is always valid JSON.
    public mutating func string(bytes raw: UnsafeBufferPointer<UInt8>) {
        if Self.isValidUTF8(raw) {
            escapedString(raw)
        } else {
            string(String(decoding: raw, as: UTF8.self))
        }
    }

    public mutating func string(bytes raw: [UInt8]) {
        raw.withUnsafeBufferPointer { string(bytes: $0) }
    }

    /// A string whose bytes are known to need no escaping (addresses, hex, digits).
    public mutating func unescapedString(_ raw: UnsafeBufferPointer<UInt8>) {
        separator()
        reserve(raw.count + 2)
        base[used] = UInt8(ascii: "\"")
        (base + used + 1).update(from: raw.baseAddress!, count: raw.count)
        used += raw.count + 1
        base[used] = UInt8(ascii: "\"")
        used += 1
        needsComma = true
    }

    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        separator()
        appendStatic(value ? "true" : "false")
        needsComma = true
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        separator()
        textInt(value)
        needsComma = true
    }

    /// A number already formatted as JSON (e.g. by `fixed`).
    public mutating func unescapedNumber(_ text: String) {
        var text = text
        text.withUTF8 { raw($0) }
    }

    @inlinable
    public mutating func null() {
        separator()
        appendStatic("null")
        needsComma = true
    }

    /// Appends an already-encoded JSON value.
    public mutating func raw(_ encoded: UnsafeBufferPointer<UInt8>) {
        separator()
        append(encoded)
        needsComma = true
    }

    // MARK: - Buffer

    @inlinable @inline(__always)
    mutating func reserve(_ extra: Int) {
        if used + extra > capacity { grow(extra) }
    }

    @usableFromInline
    mutating func grow(_ extra: Int) {
        var newCapacity = capacity * 2
        while newCapacity < used + extra { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: used)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    mutating func put(_ byte: UInt8) {
        reserve(1)
        base[used] = byte
        used += 1
    }

    private mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress, buffer.count > 0 else { return }
        reserve(buffer.count)
        (base + used).update(from: source, count: buffer.count)
        used += buffer.count
    }

    private mutating func appendDecimal(_ value: UInt64) {
        guard value >= 10 else { return put(UInt8(ascii: "0") + UInt8(value)) }
        var digits = 0
        var rest = value
        while rest > 0 { digits += 1; rest /= 10 }
        reserve(digits)
        rest = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            base[used + position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        used += digits
    }

    @inlinable @inline(__always)
    mutating func appendStatic(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        (base + used).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        used += text.utf8CodeUnitCount
    }

    @inlinable @inline(__always)
    mutating func separator() {
        if needsComma { put(UInt8(ascii: ",")) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// JSON's escapes for C0 controls, DEL, quote and backslash, plus the C1 controls (U+0080 to
    /// U+009F, bytes C2 80 to C2 9F): valid raw in JSON, but a terminal showing `--json` output
    /// may obey them (C2 9B is CSI).
    private mutating func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        put(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            index += 1
            guard byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0xC2 else { continue }
            var escaped = byte
            if byte == 0xC2 {
                guard index < buffer.count, (0x80...0x9F).contains(buffer[index]) else { continue }
                escaped = buffer[index]
                index += 1
            }
            append(UnsafeBufferPointer(rebasing: buffer[runStart..<(byte == 0xC2 ? index - 2 : index - 1)]))
            runStart = index
            put(UInt8(ascii: "\\"))
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(escaped)
            case UInt8(ascii: "\n"): put(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): put(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): put(UInt8(ascii: "t"))
            default:
                appendStatic("u00")
                put(Self.hexDigits.utf8Start[Int(escaped >> 4)])
                put(Self.hexDigits.utf8Start[Int(escaped & 0xf)])
            }
        }
        append(UnsafeBufferPointer(rebasing: buffer[runStart..<buffer.count]))
        put(UInt8(ascii: "\""))
    }

    private static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        // Fast path: pure ASCII is by far the common case for addresses and port names.
        for byte in buffer where byte >= 0x80 {
            return String(validating: buffer, as: UTF8.self) != nil
        }
        return true
    }
}
