import Foundation
import Rendering
import Testing
@testable import Packets

/// Frames captured from real traffic on a veth pair (arping, ndisc6, rdisc6 from Debian), with
/// the line nettool prints for each: the kernel's own checksums and paddings, not ours.
@Suite("Real frames, golden output")
struct GoldenTests {
    static let cases: [(hex: String, line: String)] = [
        ("3333 0000 0002 0200 5e00 0002 86dd 6000 0000 0010 3aff fe80 0000 0000 0000 0000 5eff fe00 0002 ff02 0000 0000 0000 0000 0000 0000 0002 8500 bf29 0000 0000 0101 0200 5e00 0002",
         "NDP RS from fe80::5eff:fe00:2 (02:00:5e:00:00:02) to ff02::2, length 70"),
        ("ffff ffff ffff 0200 5e00 0001 0806 0001 0800 0604 0001 0200 5e00 0001 c612 0001 0000 0000 0000 c612 0002 0000 0000 0000 0000 0000 0000 0000 0000",
         "ARP request who-has 198.18.0.2 tell 198.18.0.1 (02:00:5e:00:00:01), length 58"),
        ("0200 5e00 0001 0200 5e00 0002 0806 0001 0800 0604 0002 0200 5e00 0002 c612 0002 0200 5e00 0001 c612 0001",
         "ARP reply 198.18.0.2 is-at 02:00:5e:00:00:02 (to 198.18.0.1 02:00:5e:00:00:01), length 42"),
        ("3333 ff00 0002 0200 5e00 0001 86dd 600b 4dbc 0020 3aff fe80 0000 0000 0000 0000 5eff fe00 0001 ff02 0000 0000 0000 0000 0001 ff00 0002 8700 bf66 0000 0000 fd00 0198 0018 0000 0000 0000 0000 0002 0101 0200 5e00 0001",
         "NDP NS who-has fd00:198:18::2 from fe80::5eff:fe00:1 (02:00:5e:00:00:01) to ff02::1:ff00:2, length 86"),
        ("0200 5e00 0001 0200 5e00 0002 86dd 6000 0000 0020 3aff fd00 0198 0018 0000 0000 0000 0000 0002 fe80 0000 0000 0000 0000 5eff fe00 0001 8800 5cb9 6000 0000 fd00 0198 0018 0000 0000 0000 0000 0002 0201 0200 5e00 0002",
         "NDP NA fd00:198:18::2 is-at 02:00:5e:00:00:02 [S O] from fd00:198:18::2 to fe80::5eff:fe00:1, length 86"),
        ("3333 0000 0002 0200 5e00 0002 86dd 6007 3601 0008 3aff fe80 0000 0000 0000 0000 5eff fe00 0002 ff02 0000 0000 0000 0000 0000 0000 0002 8500 2035 0000 0000",
         "NDP RS from fe80::5eff:fe00:2 to ff02::2, length 62"),
        ("ffff ffff ffff 0200 5e00 0002 0806 0001 0800 0604 0001 0200 5e00 0002 c612 0002 ffff ffff ffff c612 0002 0000 0000 0000 0000 0000 0000 0000 0000",
         "ARP announcement 198.18.0.2 is-at 02:00:5e:00:00:02, length 58"),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    @Test(arguments: cases.indices)
    func lineMatches(_ index: Int) {
        let frame = FrameDecoder.decode(Self.bytes(Self.cases[index].hex))
        #expect(frame.malformed == nil)
        #expect(frame.findings.isEmpty, "real kernel frames pass every validity check")
        if let packet = frame.ndp { #expect(packet.checksumStatus == .valid) }
        var out = JSONLine()
        var clock = TimestampFormatter()
        PacketText.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, verbose: false, clock: &clock, to: &out)
        let line = String(decoding: out.bytes, as: UTF8.self)
        // Drop the local-time column, which depends on the machine's time zone.
        #expect(line.drop { $0 != " " }.dropFirst() == Self.cases[index].line + "\n")
    }

    @Test func jsonCarriesTheRequiredKeys() throws {
        var clock = TimestampFormatter()
        var out = JSONLine()
        for entry in Self.cases {
            PacketJSON.append(FrameDecoder.decode(Self.bytes(entry.hex)), time: Timestamp(seconds: 1_795_000_000, microseconds: 42),
                              interface: "veth0", clock: &clock, to: &out)
        }
        let lines = String(decoding: out.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == Self.cases.count)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects[0]["time"] as? String == "2026-11-18T11:06:40.000042Z")
        #expect(objects.allSatisfy { $0["interface"] as? String == "veth0" && $0.keys.contains("malformed") })

        let request = objects[1]
        #expect(request["protocol"] as? String == "arp")
        #expect(request["op"] as? String == "request")
        #expect(request["sender_mac"] as? String == "02:00:5e:00:00:01")
        #expect(request["sender_ip"] as? String == "198.18.0.1")
        #expect(request["target_mac"] as? String == "00:00:00:00:00:00")
        #expect(request["target_ip"] as? String == "198.18.0.2")
        #expect(request["gratuitous"] as? Bool == false && request["probe"] as? Bool == false)
        #expect(objects[6]["gratuitous"] as? Bool == true)

        let na = objects[4]
        #expect(na["protocol"] as? String == "ndp")
        #expect(na["type"] as? String == "neighbor-advertisement")
        #expect(na["src_mac"] as? String == "02:00:5e:00:00:02")
        #expect(na["src_ip"] as? String == "fd00:198:18::2")
        #expect(na["dst_ip"] as? String == "fe80::5eff:fe00:1")
        #expect(na["target"] as? String == "fd00:198:18::2")
        #expect(na["flags"] as? [String] == ["solicited", "override"])
        let options = try #require(na["options"] as? [[String: Any]])
        #expect(options.first?["type"] as? String == "target-link-layer-address")
        #expect(options.first?["mac"] as? String == "02:00:5e:00:00:02")
        #expect(na["malformed"] is NSNull)
    }
}

@Suite("Malformed input never traps or loops")
struct FuzzTests {
    /// SplitMix64: a fixed seed keeps every run the same.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static func render(_ frame: DecodedFrame) -> (text: String, json: [UInt8]) {
        var clock = TimestampFormatter()
        var text = JSONLine()
        PacketText.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, verbose: true, clock: &clock, to: &text)
        var json = JSONLine()
        PacketJSON.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, clock: &clock, to: &json)
        return (String(decoding: text.bytes, as: UTF8.self), json.bytes)
    }

    @Test func everyPrefixOfEveryFixture() throws {
        for entry in GoldenTests.cases {
            let whole = GoldenTests.bytes(entry.hex)
            for length in 0..<whole.count {
                let frame = FrameDecoder.decode(Array(whole[0..<length]), originalLength: whole.count)
                // Past this point only Ethernet padding is missing, which is no loss.
                let meaningful = whole[12] == 0x86 ? 14 + 40 + (Int(whole[18]) << 8 | Int(whole[19])) : 14 + 28
                if length < meaningful { #expect(frame.malformed != nil, "cut at \(length) of \(whole.count) must be reported") }
                let rendered = Self.render(frame)
                #expect(rendered.text.hasSuffix("\n"))
                _ = try JSONSerialization.jsonObject(with: Data(rendered.json))
            }
        }
    }

    @Test func randomMutationsDecodeAndRender() throws {
        var generator = Generator(state: 0x5eed)
        let seeds = GoldenTests.cases.map { GoldenTests.bytes($0.hex) }
        for round in 0..<20_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = Int.random(in: 14..<bytes.count, using: &generator)
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes += (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let frame = FrameDecoder.decode(bytes)
            let rendered = Self.render(frame)
            _ = try JSONSerialization.jsonObject(with: Data(rendered.json))
        }
    }
}
