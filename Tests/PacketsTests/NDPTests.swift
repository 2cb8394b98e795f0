import Addresses
import Rendering
import PacketFixtures
import Testing
@testable import Packets

@Suite("NDP decoding")
struct NDPTests {
    typealias F = Frames

    func ndp(_ frame: DecodedFrame) throws -> NDPPacket { try #require(frame.ndp) }

    @Test func routerSolicitation() throws {
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::2", type: 133, body: [0, 0, 0, 0] + F.slla(F.macA)))
        let packet = try ndp(frame)
        #expect(packet.kind == .routerSolicitation)
        #expect(packet.message == .routerSolicitation)
        #expect(packet.checksumStatus == .valid)
        #expect(packet.sourceLinkLayerAddress == MACAddress("02:00:5e:00:00:01"))
        #expect(frame.findings.isEmpty)
        #expect(frame.malformed == nil)
    }

    @Test func routerAdvertisementWithEveryOption() throws {
        let options = F.slla(F.macA)
            + F.prefix("2001:2::", length: 64)
            + F.option(5, [0, 0] + F.be32(1500))
            + F.option(25, [0, 0] + F.be32(600) + F.ipv6("2001:2::53") + F.ipv6("2001:2::54"))
            + F.option(31, [0, 0] + F.be32(300) + [7] + Array("example".utf8) + [3] + Array("org".utf8) + [0] + [4] + Array("test".utf8) + [0])
            + F.option(24, [48, 0x08] + F.be32(900) + F.ipv6("2001:2:1::").prefix(8))
            + F.option(38, F.be16((600 / 8) << 3 | 1) + F.ipv6("64:ff9b::").prefix(12))
            + F.option(37, Array("https://portal.example/api".utf8))
            + F.option(7, [0, 0] + F.be32(5000))
            + F.option(14, [1, 2, 3, 4, 5, 6])
            + F.option(200, [9, 9, 9, 9, 9, 9])
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134,
            body: F.routerAdvertisement(flags: 0xc8 | 0x20, lifetime: 1800, options: options)))
        let packet = try ndp(frame)
        #expect(frame.malformed == nil)
        #expect(frame.findings.isEmpty)
        guard case .routerAdvertisement(let ra)? = packet.message else { Issue.record("not an RA"); return }
        #expect(ra.currentHopLimit == 64)
        #expect(ra.managed && ra.otherConfiguration && ra.homeAgent && !ra.proxy)
        #expect(ra.preference == .high)
        #expect(ra.routerLifetime == 1800 && ra.reachableTime == 30_000 && ra.retransTimer == 1_000)
        #expect(!packet.isRouterLeaving)

        let expected: [NDPOption] = [
            .sourceLinkLayerAddress(.mac(MACAddress("02:00:5e:00:00:01")!)),
            .prefixInformation(PrefixInformation(prefixLength: 64, flags: 0xc0, validLifetime: 2_592_000,
                                                 preferredLifetime: 604_800, prefix: IPAddress("2001:2::")!)),
            .mtu(1500),
            .recursiveDNSServers(lifetime: 600, servers: [IPAddress("2001:2::53")!, IPAddress("2001:2::54")!]),
            .dnsSearchList(lifetime: 300, domains: ["example.org", "test"]),
            .routeInformation(RouteInformation(prefix: IPAddress("2001:2:1::")!, prefixLength: 48, preference: .high, lifetime: 900)),
            .pref64(PREF64(lifetime: 600, prefix: IPAddress("64:ff9b::")!, prefixLength: 64)),
            .captivePortal("https://portal.example/api"),
            .advertisementInterval(5000),
            .nonce([1, 2, 3, 4, 5, 6]),
            .unknown(type: 200, length: 1, data: [9, 9, 9, 9, 9, 9]),
        ]
        #expect(packet.options == expected)
        if case .prefixInformation(let prefix) = packet.options[1] { #expect(prefix.onLink && prefix.autonomous && !prefix.routerAddress) }
    }

    @Test func routerLeavingAndLowPreference() throws {
        let packet = try ndp(FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134,
            body: F.routerAdvertisement(flags: 0x18, lifetime: 0, options: []))))
        #expect(packet.isRouterLeaving)
        guard case .routerAdvertisement(let ra)? = packet.message else { Issue.record("not an RA"); return }
        #expect(ra.preference == .low)
    }

    @Test func neighborSolicitationAndDAD() throws {
        let target = F.ipv6("2001:2::5")
        let ns = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target + F.slla(F.macA)))
        #expect(try ndp(ns).message == .neighborSolicitation(target: IPAddress("2001:2::5")!))
        #expect(try !ndp(ns).isDAD)
        #expect(ns.findings.isEmpty)

        let dad = FrameDecoder.decode(F.ndpFrame(src: "::", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target + F.option(14, [1, 2, 3, 4, 5, 6])))
        #expect(try ndp(dad).isDAD)
        #expect(dad.findings.isEmpty)
        if case .nonce(let nonce) = try ndp(dad).options.first { #expect(nonce == [1, 2, 3, 4, 5, 6]) } else { Issue.record("no nonce") }
    }

    @Test func neighborAdvertisementFlags() throws {
        let target = F.ipv6("2001:2::5")
        let solicited = try ndp(FrameDecoder.decode(F.ndpFrame(src: "2001:2::5", dst: "fe80::1", type: 136,
            body: F.be32(0xe000_0000) + target + F.tlla(F.macA))))
        guard case .neighborAdvertisement(_, let flags)? = solicited.message else { Issue.record("not an NA"); return }
        #expect(flags == [.router, .solicited, .override])
        #expect(!solicited.isUnsolicitedNA)
        #expect(solicited.targetLinkLayerAddress == MACAddress("02:00:5e:00:00:01"))

        let unsolicited = try ndp(FrameDecoder.decode(F.ndpFrame(src: "2001:2::5", dst: "ff02::1", type: 136,
            body: F.be32(0x2000_0000) + target + F.tlla(F.macA))))
        #expect(unsolicited.isUnsolicitedNA)
    }

    @Test func redirectWithItsRedirectedPacketDecoded() throws {
        // The packet that caused the redirect: IPv6 + TCP ports 49152 > 443.
        let inner = [0x60, 0, 0, 0] + F.be16(20) + [6, 64] + F.ipv6("2001:2::10") + F.ipv6("2001:2:9::1") + F.be16(49152) + F.be16(443) + [0, 0, 0, 0]
        let body = [0, 0, 0, 0] + F.ipv6("fe80::fe") + F.ipv6("2001:2:9::1") + F.tlla(F.macB) + F.option(4, [0, 0, 0, 0, 0, 0] + inner)
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "2001:2::10", type: 137, body: body))
        let packet = try ndp(frame)
        #expect(packet.message == .redirect(target: IPAddress("fe80::fe")!, destination: IPAddress("2001:2:9::1")!))
        guard case .redirectedHeader(let redirected) = packet.options[1] else { Issue.record("no redirected header"); return }
        #expect(redirected.source == IPAddress("2001:2::10"))
        #expect(redirected.destination == IPAddress("2001:2:9::1"))
        #expect(redirected.nextHeader == 6)
        #expect(redirected.sourcePort == 49152 && redirected.destinationPort == 443)
        #expect(frame.malformed == nil)
    }

    @Test func validityFindings() throws {
        let target = F.ipv6("2001:2::5")
        let forwarded = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", hopLimit: 64, type: 135, body: [0, 0, 0, 0] + target))
        #expect(forwarded.findings == [.hopLimitNot255(64)])

        let corrupted = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target, badChecksum: true))
        guard case .badChecksum(let found, let expected)? = corrupted.findings.first else { Issue.record("no checksum finding"); return }
        #expect(found == expected ^ 0x0101)

        let code = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, code: 3, body: [0, 0, 0, 0] + target))
        #expect(code.findings == [.nonZeroCode(3)])

        let dadWithSLLA = FrameDecoder.decode(F.ndpFrame(src: "::", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target + F.slla(F.macA)))
        #expect(dadWithSLLA.findings == [.linkLayerOptionFromUnspecified])

        let solicitedMulticast = FrameDecoder.decode(F.ndpFrame(src: "2001:2::5", dst: "ff02::1", type: 136, body: F.be32(0x4000_0000) + target))
        #expect(solicitedMulticast.findings == [.solicitedToMulticast])

        let spoofed = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target + F.slla(F.macB)))
        #expect(spoofed.findings == [.linkSourceMismatch(frame: MACAddress("02:00:5e:00:00:01")!, claimed: MACAddress("02:00:5e:00:00:02")!)])

        let globalRouter = FrameDecoder.decode(F.ndpFrame(src: "2001:2::1", dst: "ff02::1", type: 134, body: F.routerAdvertisement(options: [])))
        #expect(globalRouter.findings == [.sourceNotLinkLocal(IPAddress("2001:2::1")!)])

        let multicastTarget = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + F.ipv6("ff02::1")))
        #expect(multicastTarget.findings == [.multicastTarget(IPAddress("ff02::1")!)])

        let dadElsewhere = FrameDecoder.decode(F.ndpFrame(src: "::", dst: "ff02::1", type: 135, body: [0, 0, 0, 0] + target))
        #expect(dadElsewhere.findings == [.dadNotToSolicitedNode(IPAddress("ff02::1")!)])
    }

    @Test func optionLengthZeroStopsTheWalk() throws {
        // RFC 4861: a zero length must not make a receiver loop forever.
        let body = [0, 0, 0, 0] + F.ipv6("2001:2::5") + F.slla(F.macA) + [1, 0, 0, 0, 0, 0, 0, 0] + F.slla(F.macB)
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: body))
        #expect(frame.malformed == .malformed("option type 1 at byte 32 of the ICMPv6 message has length 0"))
        #expect(try ndp(frame).options.count == 1)
    }

    @Test func optionRunningPastTheEndIsMalformed() throws {
        let body = [0, 0, 0, 0] + F.ipv6("2001:2::5") + [1, 3, 2, 0, 0x5e, 0, 0, 1]
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: body))
        #expect(frame.malformed == .malformed("option type 1 at byte 24 of the ICMPv6 message claims 24 bytes, 8 left"))
    }

    @Test func badOptionBodyIsReportedAndTheWalkGoesOn() throws {
        // A prefix option of length 1 (must be 4), then a good MTU option.
        let options = F.option(3, [64, 0xc0, 0, 0, 0, 0]) + F.option(5, [0, 0] + F.be32(1280))
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: F.routerAdvertisement(options: options)))
        #expect(frame.malformed == .malformed("option prefix-information at byte 16 of the ICMPv6 message: length 1, must be 4"))
        #expect(try ndp(frame).options.last == .mtu(1280))
    }

    @Test func extensionHeadersAreSkipped() throws {
        // Hop-by-hop header (8 bytes, PadN) before the NS.
        var packet = F.icmpv6(src: "fe80::1", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + F.ipv6("2001:2::5"))
        let icmp = Array(packet[40...])
        packet = [0x60, 0, 0, 0] + F.be16(icmp.count + 8) + [0, 255] + Array(packet[8..<40]) + [58, 0, 1, 4, 0, 0, 0, 0] + icmp
        let frame = FrameDecoder.decode(F.ethernet(type: 0x86dd, packet))
        #expect(try ndp(frame).message == .neighborSolicitation(target: IPAddress("2001:2::5")!))
        #expect(try ndp(frame).checksumStatus == .valid)
    }

    @Test func otherIPv6IsNotNDP() {
        let echo = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.icmpv6(src: "2001:2::1", dst: "2001:2::2", type: 128, body: [0, 1, 0, 1])))
        guard case .ip(let packet) = echo.content, case .v6(let ip) = packet.network else { Issue.record("expected plain IPv6"); return }
        #expect(ip.upperLayer == 58)
        #expect(packet.icmp.map { "\($0.typeName)" } == "echo-request")
    }
}

@Suite("Strings from the wire in NDP options")
struct NDPHostileStringTests {
    typealias F = Frames

    @Test("DNSSL names and the captive-portal URI: escaped for the terminal in text, escaped once for JSON")
    func oneEscaping() throws {
        let label = Array("ev\u{1b}]0;x\u{7}".utf8)
        let uri = Array("http://p/\u{1b}[2J\nforged".utf8)
        let options = F.option(31, [0, 0] + F.be32(300) + [UInt8(label.count)] + label + [0]) + F.option(37, uri)
        let frame = FrameDecoder.decode(F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134,
                                                   body: F.routerAdvertisement(options: options)))
        #expect(frame.malformed == nil)
        var clock = TimestampFormatter()
        for verbose in [false, true] {
            var out = JSONLine()
            PacketText.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, verbose: verbose, clock: &clock, to: &out)
            let text = String(decoding: out.bytes, as: UTF8.self)
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(text.debugDescription)")
            #expect(text.contains("ev\\x1b]0;x\\x07") && text.contains("http://p/\\x1b[2J\\nforged"), "\(text)")
            #expect(!text.contains("\nforged"))
        }
        var out = JSONLine()
        PacketJSON.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, clock: &clock, to: &out)
        let json = String(decoding: out.bytes, as: UTF8.self)
        #expect(json.contains(#""ev\u001b]0;x\u0007""#) && json.contains(#""http://p/\u001b[2J\nforged""#), "\(json)")
    }
}
