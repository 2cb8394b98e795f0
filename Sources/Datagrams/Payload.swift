import Rendering

/// Payload helpers: hex input, size limits, generated payloads, and "is this text?".
public enum Payload {
    /// Accepts `deadbeef`, `de ad be ef`, `DE:AD:BE:EF`, `0xde 0xad`: hex digits in pairs,
    /// separated (or not) by spaces, colons, dashes or newlines.
    public static func parseHex(_ text: String) throws(UDPError) -> [UInt8] {
        var bytes: [UInt8] = []
        var pending: UInt8?
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            if byte == UInt8(ascii: "0"), next < utf8.endIndex, utf8[next] | 0x20 == UInt8(ascii: "x"), pending == nil {
                index = utf8.index(after: next)
                continue
            }
            if let value = Character(Unicode.Scalar(byte)).hexDigitValue.map(UInt8.init) {
                if let high = pending { bytes.append(high << 4 | value); pending = nil } else { pending = value }
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                if pending != nil { throw .invalidHex("a lone hex digit before a separator; write bytes as two digits (0a, not a)") }
            } else {
                let shown = byte < 0x80 ? "'\(Character(Unicode.Scalar(byte)))'" : "a non-ASCII character"
                throw .invalidHex("\(shown) is not a hex digit")
            }
            index = next
        }
        if pending != nil { throw .invalidHex("odd number of hex digits; every byte takes two") }
        return bytes
    }

    /// The largest UDP payload: 65,535 minus the UDP header, and minus the IPv4 header on IPv4.
    public static func limit(ipv6: Bool) -> Int { ipv6 ? 65_527 : 65_507 }

    /// Datagrams of `size` bytes one UDP_SEGMENT send may carry on a path with this MTU: each
    /// must fit unfragmented, at most 64 per send (the kernel's UDP_MAX_SEGMENTS on older
    /// kernels) and 65,000 payload bytes in all. 1 means "send them one by one".
    public static func segmentsPerSend(size: Int, pathMTU: Int, ipv6: Bool) -> Int {
        let headers = (ipv6 ? 40 : 20) + 8
        guard size > 0, size + headers <= pathMTU else { return 1 }
        return Swift.max(1, Swift.min(64, 65_000 / size))
    }

    /// `size` bytes of a repeating printable pattern, so a receiver shows readable text.
    public static func generated(size: Int) -> [UInt8] {
        let pattern = Array("nettool abcdefghijklmnopqrstuvwxyz0123456789 ".utf8)
        return (0..<size).map { pattern[$0 % pattern.count] }
    }
}
