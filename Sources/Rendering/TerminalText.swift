/// Printable UTF-8: valid UTF-8 with no control characters except tab, newline and CR. Payloads
/// that pass are shown as text; the rest as hex.
public func printableText(_ bytes: [UInt8]) -> String? {
    guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
    for scalar in text.unicodeScalars where scalar != "\t" && scalar != "\n" && scalar != "\r" {
        if TerminalText.isControl(scalar) { return nil }
    }
    return text
}

/// Text from outside (a datagram, a request path, a packet option, a command-line argument)
/// made safe for a terminal or a line-per-record log: the one place every human-readable
/// output escapes what it did not write itself. C0 controls (CR, LF, TAB included, unless line
/// breaks are kept), DEL, C1 controls and the Unicode bidirectional overrides become visible
/// escapes (`\n`, `\r`, `\t`, `\x1b`, `\u{9b}`, `\u{202e}`), so a byte from the network can
/// neither move the cursor, retitle the terminal, hide text nor forge a log line. Invalid UTF-8
/// bytes are shown as `\xNN`. JSON output does not use this: the JSON writer escapes for JSON.
public enum TerminalText {
    /// `keepLineBreaks`: LF and TAB pass through, for output that is meant to span lines (an
    /// echoed session); CR is escaped either way, since it rewrites the current line.
    public static func escape(_ text: String, keepLineBreaks: Bool = false) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars { append(scalar, to: &result, keepLineBreaks: keepLineBreaks) }
        return result
    }

    /// Raw bytes, which need not be UTF-8.
    public static func escape(bytes: some Collection<UInt8>, keepLineBreaks: Bool = false) -> String {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        let bytes = Array(bytes)
        var result = ""
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : (0xC2...0xDF).contains(lead) ? 2 : (0xE0...0xEF).contains(lead) ? 3 : (0xF0...0xF4).contains(lead) ? 4 : 0
            if length > 0, index + length <= bytes.count,
               let scalars = String(validating: bytes[index..<(index + length)], as: UTF8.self)?.unicodeScalars,
               scalars.count == 1, let scalar = scalars.first {
                append(scalar, to: &result, keepLineBreaks: keepLineBreaks)
                index += length
            } else {
                result += "\\x" + Hexdump.hexByte(lead)
                index += 1
            }
        }
        return result
    }

    /// C0 controls, DEL, C1 controls, and the bidirectional formatting characters that can
    /// reorder what a terminal shows.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    private static func append(_ scalar: Unicode.Scalar, to result: inout String, keepLineBreaks: Bool) {
        guard isControl(scalar) else {
            result.unicodeScalars.append(scalar)
            return
        }
        switch scalar {
        case "\n" where keepLineBreaks, "\t" where keepLineBreaks: result.unicodeScalars.append(scalar)
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            result += scalar.value < 0x80 ? "\\x" + Hexdump.hexByte(UInt8(scalar.value)) : "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }
}
