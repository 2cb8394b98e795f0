/// Writes addresses as canonical text straight into a byte buffer (no String per address).
public enum AddressFormatter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `mixedNotation: false` writes IPv4-carrying IPv6 forms in plain hex, as registries write
    /// prefixes (`::ffff:0:0/96`, not `::ffff:0.0.0.0/96`).
    public static func append(_ address: IPAddress, to out: inout [UInt8], mixedNotation: Bool = true) {
        if address.family == .v4 {
            appendIPv4(UInt32(truncatingIfNeeded: address.value), to: &out)
        } else {
            appendIPv6(address.value, to: &out, mixedNotation: mixedNotation)
        }
    }

    public static func appendIPv4(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) {
            appendDecimal(UInt8(truncatingIfNeeded: value >> UInt32(shift)), to: &out)
            if shift > 0 { out.append(UInt8(ascii: ".")) }
        }
    }

    private static func appendDecimal(_ value: UInt8, to out: inout [UInt8]) {
        if value >= 100 { out.append(UInt8(ascii: "0") + value / 100) }
        if value >= 10 { out.append(UInt8(ascii: "0") + (value / 10) % 10) }
        out.append(UInt8(ascii: "0") + value % 10)
    }

    /// RFC 5952: lowercase, no leading zeros, `::` for the longest run of two or more zero
    /// groups (the first on a tie), and mixed notation (section 5) for the IPv4-mapped
    /// `::ffff:0:0/96`, the SIIT `::ffff:0:0:0/96` and the well-known NAT64 `64:ff9b::/96` forms.
    public static func appendIPv6(_ value: UInt128, to out: inout [UInt8], mixedNotation: Bool = true) {
        let upper96 = value >> 32
        let mixed = mixedNotation && (upper96 == 0xffff || upper96 == 0xffff_0000 || upper96 == 0x0064_ff9b_0000_0000_0000_0000)
        let groupCount = mixed ? 6 : 8

        var bestStart = -1, bestLength = 1
        var runStart = -1
        for index in 0...groupCount {
            let isZero = index < groupCount && group(value, index) == 0
            if isZero {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }

        var index = 0
        while index < groupCount {
            if index == bestStart {
                out.append(contentsOf: index == 0 ? [UInt8(ascii: ":"), UInt8(ascii: ":")] : [UInt8(ascii: ":")])
                index += bestLength
                continue
            }
            appendHexGroup(group(value, index), to: &out)
            index += 1
            if index < groupCount { out.append(UInt8(ascii: ":")) }
        }
        if mixed {
            if bestStart + bestLength != groupCount { out.append(UInt8(ascii: ":")) }
            appendIPv4(UInt32(truncatingIfNeeded: value), to: &out)
        }
    }

    private static func group(_ value: UInt128, _ index: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: value >> UInt128(16 * (7 - index)))
    }

    private static func appendHexGroup(_ group: UInt16, to out: inout [UInt8]) {
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = Int((group >> UInt16(shift)) & 0xf)
            if digit != 0 || started || shift == 0 {
                out.append(hex[digit])
                started = true
            }
        }
    }

    /// A MAC-style colon-separated hex string (`33:33:00:00:00:01`).
    public static func macString(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ":")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
