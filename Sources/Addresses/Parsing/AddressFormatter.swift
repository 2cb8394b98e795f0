/// Writes addresses as canonical text straight into a byte buffer (no String per address).
/// Text is assembled in a small stack buffer and appended in one go: batch output formats
/// millions of addresses, and one append per character was its largest cost.
public enum AddressFormatter {
    /// The longest text form: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` (45 bytes).
    static let maximumLength = 48

    /// `mixedNotation: false` writes IPv4-carrying IPv6 forms in plain hex, as registries write
    /// prefixes (`::ffff:0:0/96`, not `::ffff:0.0.0.0/96`).
    public static func append(_ address: IPAddress, to out: inout [UInt8], mixedNotation: Bool = true) {
        withText(address, mixedNotation: mixedNotation) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the canonical text of `address`, formatted on the stack.
    public static func withText<R>(_ address: IPAddress, mixedNotation: Bool = true,
                                   _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buffer in
            var text = TextWriter(base: buffer.baseAddress!)
            if address.family == .v4 {
                text.ipv4(UInt32(truncatingIfNeeded: address.value))
            } else {
                text.ipv6(address.value, mixedNotation: mixedNotation)
            }
            return body(UnsafeBufferPointer(start: buffer.baseAddress, count: text.count))
        }
    }

    /// A MAC-style colon-separated hex string (`33:33:00:00:00:01`).
    public static func macString(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ":")) }
            out.append(TextWriter.hexDigit(byte >> 4))
            out.append(TextWriter.hexDigit(byte & 0xf))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Writes into a caller-provided buffer of at least `AddressFormatter.maximumLength` bytes.
struct TextWriter {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    mutating func ipv4(_ value: UInt32) {
        decimal(UInt8(truncatingIfNeeded: value >> 24)); put(UInt8(ascii: "."))
        decimal(UInt8(truncatingIfNeeded: value >> 16)); put(UInt8(ascii: "."))
        decimal(UInt8(truncatingIfNeeded: value >> 8)); put(UInt8(ascii: "."))
        decimal(UInt8(truncatingIfNeeded: value))
    }

    private mutating func decimal(_ value: UInt8) {
        if value >= 100 { put(UInt8(ascii: "0") + value / 100) }
        if value >= 10 { put(UInt8(ascii: "0") + (value / 10) % 10) }
        put(UInt8(ascii: "0") + value % 10)
    }

    /// RFC 5952: lowercase, no leading zeros, `::` for the longest run of two or more zero
    /// groups (the first on a tie), and mixed notation (section 5) for the IPv4-mapped
    /// `::ffff:0:0/96`, the SIIT `::ffff:0:0:0/96` and the well-known NAT64 `64:ff9b::/96` forms.
    mutating func ipv6(_ value: UInt128, mixedNotation: Bool) {
        let upper96 = value >> 32
        let mixed = mixedNotation && (upper96 == 0xffff || upper96 == 0xffff_0000 || upper96 == 0x0064_ff9b_0000_0000_0000_0000)
        let groupCount = mixed ? 6 : 8
        // The eight groups, split once: shifting a UInt128 per group was the formatter's main cost.
        let high = UInt64(truncatingIfNeeded: value >> 64), low = UInt64(truncatingIfNeeded: value)
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (
            UInt16(truncatingIfNeeded: high >> 48), UInt16(truncatingIfNeeded: high >> 32),
            UInt16(truncatingIfNeeded: high >> 16), UInt16(truncatingIfNeeded: high),
            UInt16(truncatingIfNeeded: low >> 48), UInt16(truncatingIfNeeded: low >> 32),
            UInt16(truncatingIfNeeded: low >> 16), UInt16(truncatingIfNeeded: low))
        withUnsafeBytes(of: &groups) { raw in
            let group = raw.bindMemory(to: UInt16.self)
            var bestStart = -1, bestLength = 1
            var runStart = -1
            for index in 0...groupCount {
                if index < groupCount && group[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                    runStart = -1
                }
            }

            var index = 0
            while index < groupCount {
                if index == bestStart {
                    if index == 0 { put(UInt8(ascii: ":")) }
                    put(UInt8(ascii: ":"))
                    index += bestLength
                    continue
                }
                hexGroup(group[index])
                index += 1
                if index < groupCount { put(UInt8(ascii: ":")) }
            }
            if mixed {
                if bestStart + bestLength != groupCount { put(UInt8(ascii: ":")) }
                ipv4(UInt32(truncatingIfNeeded: low))
            }
        }
    }

    private mutating func hexGroup(_ group: UInt16) {
        let digits = max(1, (16 - group.leadingZeroBitCount + 3) / 4)
        var position = digits
        while position > 0 {
            position -= 1
            base[count + position] = Self.hexDigit(UInt8(truncatingIfNeeded: group >> UInt16(4 * (digits - 1 - position))) & 0xf)
        }
        count += digits
    }
}
