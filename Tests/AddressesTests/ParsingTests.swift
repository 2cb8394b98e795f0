import Testing
@testable import Addresses

@Suite("Parsing and canonical form")
struct ParsingTests {
    @Test("IPv6 text forms are canonicalised per RFC 5952", arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),          // first of two equal runs
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),       // a single zero group stays
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),                // longest run wins
        ("0:0:0:0:0:0:0:0", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("fe80::", "fe80::"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::FFFF:0102:0304", "::ffff:1.2.3.4"),
        ("64:ff9b::c000:221", "64:ff9b::192.0.2.33"),
        ("::ffff:0:c000:221", "::ffff:0:192.0.2.33"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func ipv6Canonical(input: String, expected: String) throws {
        let parsed = try AddressInput.parse(input)
        #expect(parsed.address.family == .v6)
        #expect(parsed.address.description == expected)
    }

    @Test("IPv4 dotted quads", arguments: [
        ("0.0.0.0", UInt32(0)), ("255.255.255.255", UInt32.max), ("192.0.2.1", 0xC000_0201), ("10.0.0.0", 0x0A00_0000),
    ])
    func ipv4(input: String, value: UInt32) throws {
        let parsed = try AddressInput.parse(input)
        #expect(parsed.address == .v4(value))
        #expect(parsed.address.description == input)
    }

    @Test("zone ids and prefixes")
    func zonesAndPrefixes() throws {
        let zoned = try AddressInput.parse("fe80::1%eth0")
        #expect(zoned.zone == "eth0")
        #expect(zoned.address.description == "fe80::1")
        let prefix = try AddressInput.parse("2001:db8::/32")
        #expect(prefix.prefixLength == 32)
        #expect(prefix.prefix?.description == "2001:db8::/32")
        #expect(try AddressInput.parse("0.0.0.0/0").prefixLength == 0)
        #expect(try AddressInput.parse("::/0").prefixLength == 0)
        #expect(try AddressInput.parse("1.2.3.4/32").prefixLength == 32)
        #expect(try AddressInput.parse("::1/128").prefixLength == 128)
    }

    @Test("zone ids look like interface names or numbers", arguments: [
        "fe80::1%\u{1b}]0;x", "fe80::1%a b", "fe80::1%a%b", "fe80::1%sixteen-bytes-xx", "fe80::1%a\tb", "fe80::1%a\u{85}",
    ])
    func badZones(input: String) {
        #expect {
            try AddressInput.parse(input)
        } throws: { error in
            guard case .invalidZone? = error as? AddressParseError else { return false }
            return !String(describing: error).unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }
        }
    }

    @Test("every rejection rule gives its own error", arguments: [
        ("", AddressParseError.empty),
        (" 1.2.3.4", .surroundingWhitespace),
        ("1.2.3.4 ", .surroundingWhitespace),
        ("\t::1", .surroundingWhitespace),
        ("1.2.3.4\u{0}", .embeddedNUL),
        ("1.2\u{0}.3.4", .embeddedNUL),
        ("010.1.1.1", .leadingZero("010")),
        ("1.2.3.00", .leadingZero("00")),
        ("1.2.3", .wrongOctetCount(3)),
        ("10.1", .wrongOctetCount(2)),
        ("1.2.3.4.5", .wrongOctetCount(5)),
        ("256.1.1.1", .octetOutOfRange("256")),
        ("1.2.3.1000", .octetOutOfRange("1000")),
        ("1..3.4", .emptyOctet),
        (".1.2.3", .emptyOctet),
        ("1.2.3.x", .invalidCharacter("'x'", family: .v4)),
        ("1.2.3.-4", .invalidCharacter("'-'", family: .v4)),
        ("1::2::3", .multipleDoubleColons),
        ("1:2:3:4:5:6:7:8:9", .tooManyGroups(9)),
        ("1:2:3:4:5:6:7", .tooFewGroups(7)),
        ("1:2:3:4::5:6:7:8", .doubleColonWithEightGroups),
        ("12345::", .groupTooLong("12345")),
        (":1::2", .emptyGroup),
        ("1::2:", .emptyGroup),
        ("1:::2", .emptyGroup),
        ("1.2.3.4::", .embeddedIPv4NotLast),
        ("::ffff:1.2.3.256", .embeddedIPv4(.octetOutOfRange("256"))),
        ("::ffff:01.2.3.4", .embeddedIPv4(.leadingZero("01"))),
        ("::g", .invalidCharacter("'g'", family: .v6)),
        ("fe80::1%", .emptyZone),
        ("1.2.3.4%eth0", .zoneOnIPv4),
        ("fe80::%eth0/64", .zoneInPrefix),
        ("10.0.0.0/8/8", .multipleSlashes),
        ("10.0.0.0/", .badPrefixLength("")),
        ("10.0.0.0/x", .badPrefixLength("x")),
        ("10.0.0.0/08", .badPrefixLength("08")),
        ("10.0.0.0/33", .prefixLengthOutOfRange(33, max: 32)),
        ("::/129", .prefixLengthOutOfRange(129, max: 128)),
        ("10.0.0.1/8", .hostBitsSet(input: "10.0.0.1/8", network: "10.0.0.0/8")),
        ("2001:db8::1/32", .hostBitsSet(input: "2001:db8::1/32", network: "2001:db8::/32")),
    ])
    func rejections(input: String, expected: AddressParseError) {
        #expect(throws: expected) { try AddressInput.parse(input) }
    }

    @Test("error messages are sentences that name the problem")
    func messages() {
        #expect(AddressParseError.leadingZero("010").description.contains("ambiguous"))
        #expect(AddressParseError.hostBitsSet(input: "10.0.0.1/8", network: "10.0.0.0/8").description
            == "host bits are set in 10.0.0.1/8; the network is 10.0.0.0/8")
        #expect(AddressParseError.wrongOctetCount(3).description.contains("short forms"))
    }

    @Test("the parser never traps on arbitrary bytes")
    func arbitraryBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF:.%/ xg\u{0}".utf8) + [0xFF, 0xC3]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...45, using: &generator)
            var bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let result = bytes.withUnsafeMutableBufferPointer { buffer in
                Result { () throws(AddressParseError) in try AddressInput.parse(bytes: UnsafeBufferPointer(buffer)) }
            }
            // A success must round-trip through canonical text.
            if case .success(let input) = result, input.zone == nil, input.prefixLength == nil {
                #expect(IPAddress(input.address.description) == input.address)
            }
        }
    }
}
