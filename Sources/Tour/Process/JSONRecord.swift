/// A JSON value as nettool's own `--json` commands print it, read back by the lessons: they
/// check what a command did from its records, never from the text meant for people.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self, let whole = Int(exactly: value) { return whole }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The strings of an array (`flags`, `analysis`); empty for anything else.
    var strings: [String] {
        if case .array(let items) = self { return items.compactMap(\.string) }
        return []
    }

    /// One value per line of JSON Lines `text`; lines that are not JSON objects are left out.
    static func lines(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { line in
            var parser = JSONParser(Array(line.utf8))
            guard let value = try? parser.document(), case .object = value else { return nil }
            return value
        }
    }
}

/// A small recursive-descent parser, nested at most 64 deep.
private struct JSONParser {
    struct Invalid: Error {}
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws -> JSONValue {
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw Invalid() }
        return value
    }

    private mutating func value() throws -> JSONValue {
        skipSpace()
        guard index < bytes.count else { throw Invalid() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try nested { try $0.object() }
        case UInt8(ascii: "["): return try nested { try $0.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw Invalid() }
        index += 1
        return try body(&self)
    }

    private mutating func object() throws -> JSONValue {
        var fields: [String: JSONValue] = [:]
        if take("}") { return .object(fields) }
        repeat {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try string()
            guard take(":") else { throw Invalid() }
            fields[key] = try value()
        } while take(",")
        guard take("}") else { throw Invalid() }
        return .object(fields)
    }

    private mutating func array() throws -> JSONValue {
        var items: [JSONValue] = []
        if take("]") { return .array(items) }
        repeat { items.append(try value()) } while take(",")
        guard take("]") else { throw Invalid() }
        return .array(items)
    }

    /// A string starting at the opening quote, escapes resolved (surrogate pairs joined).
    private mutating func string() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] == UInt8(ascii: "\\") else {
                raw.append(bytes[index])
                index += 1
                continue
            }
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
            scalars.append(try escape())
        }
        guard index < bytes.count else { throw Invalid() }
        index += 1
        scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
        return String(scalars)
    }

    private mutating func escape() throws -> Unicode.Scalar {
        guard index + 1 < bytes.count else { throw Invalid() }
        let letter = bytes[index + 1]
        index += 2
        switch letter {
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
               bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            return Unicode.Scalar(code) ?? "\u{FFFD}"
        default: return Unicode.Scalar(letter)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw Invalid() }
        index += 4
        return code
    }

    private mutating func number() throws -> Double {
        let start = index
        while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw Invalid() }
        return value
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
              bytes[index..<index + count].elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count)) else { throw Invalid() }
        index += count
    }

    /// Skips spaces, then consumes `character` if it comes next.
    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
}
