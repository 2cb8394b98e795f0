/// `xxd`-style hex dump: offset, 16 bytes in hex (grouped by two), then the printable ASCII.
public enum Hexdump {
    public static func render(_ bytes: [UInt8]) -> String {
        var lines: [String] = []
        var offset = 0
        while offset < bytes.count {
            let row = bytes[offset..<min(offset + 16, bytes.count)]
            var hex = ""
            for (index, byte) in row.enumerated() {
                hex += hexByte(byte)
                if index % 2 == 1 { hex += " " }
            }
            hex += String(repeating: " ", count: 40 - hex.count)
            let ascii = String(row.map { $0 >= 0x20 && $0 < 0x7F ? Character(Unicode.Scalar($0)) : "." })
            lines.append(hexOffset(offset) + ": " + hex + " " + ascii)
            offset += 16
        }
        return lines.joined(separator: "\n")
    }

    /// Plain lowercase hex without separators (`deadbeef`), as JSON carries payloads.
    public static func hexString(_ bytes: [UInt8]) -> String {
        bytes.map(hexByte).joined()
    }

    public static func hexByte(_ byte: UInt8) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }

    private static func hexOffset(_ offset: Int) -> String {
        let text = String(offset, radix: 16)
        return String(repeating: "0", count: max(0, 8 - text.count)) + text
    }
}
