import Rendering

/// One parsed line of `ip-classify` input: an address, optionally with an IPv6 zone id or a
/// prefix length (CIDR). Parsing is strict, byte by byte, and never allocates on success
/// except for a zone id.
public struct AddressInput: Sendable, Equatable {
    public let address: IPAddress
    public let zone: String?
    public let prefixLength: Int?

    public init(address: IPAddress, zone: String? = nil, prefixLength: Int? = nil) {
        self.address = address
        self.zone = zone
        self.prefixLength = prefixLength
    }

    public var prefix: IPPrefix? {
        prefixLength.map { IPPrefix(containing: address, length: $0) }
    }

    public static func parse(_ text: String) throws(AddressParseError) -> AddressInput {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(AddressParseError) in try parse(bytes: buffer) }
        }
        return try result.get()
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) throws(AddressParseError) -> AddressInput {
        var parser = AddressParser(bytes)
        return try parser.parseInput()
    }
}

private let colon = UInt8(ascii: ":")
private let dot = UInt8(ascii: ".")
private let slash = UInt8(ascii: "/")
private let percent = UInt8(ascii: "%")

struct AddressParser {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseInput() throws(AddressParseError) -> AddressInput {
        let count = bytes.count
        guard count > 0 else { throw .empty }
        if Self.isSpace(bytes[0]) || Self.isSpace(bytes[count - 1]) { throw .surroundingWhitespace }

        var slashIndex: Int?
        var percentIndex: Int?
        var sawColon = false
        for index in 0..<count {
            switch bytes[index] {
            case 0: throw .embeddedNUL
            case slash:
                if slashIndex != nil { throw .multipleSlashes }
                slashIndex = index
            case percent where percentIndex == nil && slashIndex == nil: percentIndex = index
            case colon: sawColon = true
            default: break
            }
        }

        let addressEnd = percentIndex ?? slashIndex ?? count
        let address: IPAddress
        if sawColon {
            address = .v6(try parseIPv6(0..<addressEnd))
        } else {
            if percentIndex != nil { throw .zoneOnIPv4 }
            address = .v4(try parseIPv4(0..<addressEnd))
        }

        var zone: String?
        if let percentIndex {
            let zoneEnd = slashIndex ?? count
            guard zoneEnd > percentIndex + 1 else { throw .emptyZone }
            if slashIndex != nil { throw .zoneInPrefix }
            let zoneBytes = UnsafeBufferPointer(rebasing: bytes[(percentIndex + 1)..<zoneEnd])
            let text = String(decoding: zoneBytes, as: UTF8.self)
            if let bad = zoneBytes.first(where: { $0 < 0x21 || $0 == 0x7F || $0 == percent || $0 == slash }) {
                throw .invalidZone(text, reason: "holds \(bad == percent ? "a second '%'" : Self.describe(bad))")
            }
            if String(validating: zoneBytes, as: UTF8.self).map({ $0.unicodeScalars.contains(where: TerminalText.isControl) }) ?? true {
                throw .invalidZone(text, reason: "holds a control character or bytes that are not UTF-8")
            }
            guard zoneBytes.count <= 15 else { throw .invalidZone(text, reason: "is \(zoneBytes.count) bytes long; interface names have at most 15") }
            zone = text
        }

        guard let slashIndex else { return AddressInput(address: address, zone: zone) }
        let length = try parsePrefixLength((slashIndex + 1)..<count, family: address.family)
        let prefix = IPPrefix(containing: address, length: length)
        if prefix.network != address {
            throw .hostBitsSet(input: text(0..<count), network: prefix.description)
        }
        return AddressInput(address: address, prefixLength: length)
    }

    private func parsePrefixLength(_ range: Range<Int>, family: IPAddress.Family) throws(AddressParseError) -> Int {
        guard !range.isEmpty, range.count <= 3 else { throw .badPrefixLength(text(range)) }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard Self.isDigit(byte) else { throw .badPrefixLength(text(range)) }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        if range.count > 1 && bytes[range.lowerBound] == UInt8(ascii: "0") { throw .badPrefixLength(text(range)) }
        guard value <= family.bitWidth else { throw .prefixLengthOutOfRange(value, max: family.bitWidth) }
        return value
    }

    /// Strict dotted quad: exactly four decimal octets, 0-255, no leading zeros.
    func parseIPv4(_ range: Range<Int>) throws(AddressParseError) -> UInt32 {
        guard !range.isEmpty else { throw .empty }
        var dots = 0
        for index in range {
            let byte = bytes[index]
            if byte == dot { dots += 1 } else if !Self.isDigit(byte) { throw .invalidCharacter(Self.describe(byte), family: .v4) }
        }
        guard dots == 3 else { throw .wrongOctetCount(dots + 1) }

        var value: UInt32 = 0
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound && bytes[end] != dot { end += 1 }
            guard end > start else { throw .emptyOctet }
            var octet: UInt32 = 0
            for index in start..<min(end, start + 3) {
                octet = octet * 10 + UInt32(bytes[index] - UInt8(ascii: "0"))
            }
            if end - start > 1 && bytes[start] == UInt8(ascii: "0") { throw .leadingZero(text(start..<end)) }
            guard end - start <= 3, octet <= 255 else { throw .octetOutOfRange(text(start..<end)) }
            value = value << 8 | octet
            start = end + 1
        }
        return value
    }

    /// RFC 4291 section 2.2 text forms: full, `::`-compressed, and with an embedded IPv4 tail.
    func parseIPv6(_ range: Range<Int>) throws(AddressParseError) -> UInt128 {
        guard !range.isEmpty else { throw .empty }
        // Groups before `::` shift into `head`, groups after it into `tail`.
        var head: UInt128 = 0, headCount = 0
        var tail: UInt128 = 0, tailCount = 0
        var compressed = false
        var index = range.lowerBound
        let end = range.upperBound

        if bytes[index] == colon {
            guard index + 1 < end, bytes[index + 1] == colon else { throw .emptyGroup }
            compressed = true
            index += 2
            if index == end { return 0 }
        }

        while true {
            let start = index
            var sawDot = false
            while index < end && bytes[index] != colon {
                if bytes[index] == dot { sawDot = true }
                index += 1
            }
            if start == index { throw .emptyGroup }
            if headCount + tailCount >= 8 { throw .tooManyGroups(countGroups(range)) }

            if sawDot {
                guard index == end else { throw .embeddedIPv4NotLast }
                let v4: UInt32
                do { v4 = try parseIPv4(start..<index) } catch { throw .embeddedIPv4(error) }
                if headCount + tailCount + 2 > 8 { throw .tooManyGroups(headCount + tailCount + 2) }
                if compressed { tail = tail << 32 | UInt128(v4); tailCount += 2 }
                else { head = head << 32 | UInt128(v4); headCount += 2 }
                break
            }

            guard index - start <= 4 else {
                for position in start..<index where Self.hexValue(bytes[position]) == nil {
                    throw .invalidCharacter(Self.describe(bytes[position]), family: .v6)
                }
                throw .groupTooLong(text(start..<index))
            }
            var group: UInt128 = 0
            for position in start..<index {
                guard let digit = Self.hexValue(bytes[position]) else {
                    throw .invalidCharacter(Self.describe(bytes[position]), family: .v6)
                }
                group = group << 4 | UInt128(digit)
            }
            if compressed { tail = tail << 16 | group; tailCount += 1 }
            else { head = head << 16 | group; headCount += 1 }

            if index == end { break }
            index += 1  // the ':'
            if index == end { throw .emptyGroup }
            if bytes[index] == colon {
                if compressed { throw .multipleDoubleColons }
                compressed = true
                index += 1
                if index == end { break }
            }
        }

        let total = headCount + tailCount
        if compressed {
            if total >= 8 { throw .doubleColonWithEightGroups }
            return (headCount == 0 ? 0 : head << (16 * (8 - headCount))) | tail
        }
        guard total == 8 else { throw .tooFewGroups(total) }
        return head
    }

    private func countGroups(_ range: Range<Int>) -> Int {
        var groups = 1
        for index in range where bytes[index] == colon { groups += 1 }
        return groups
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n") || byte == 0x0B || byte == 0x0C
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == 0x20 { return "' ' (space)" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
