/// Printable UTF-8: valid UTF-8 with no control characters except tab, newline and CR. Payloads
/// that pass are shown as text; the rest as hex.
public func printableText(_ bytes: [UInt8]) -> String? {
    guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
    for scalar in text.unicodeScalars {
        let value = scalar.value
        if value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D { return nil }
        if value == 0x7F || (0x80..<0xA0).contains(value) { return nil }
    }
    return text
}
