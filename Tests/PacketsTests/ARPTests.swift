import Addresses
import PacketFixtures
import Testing
@testable import Packets

@Suite("ARP decoding")
struct ARPTests {
    typealias F = Frames

    func decode(_ frame: [UInt8], _ linkType: LinkType = .ethernet) -> DecodedFrame {
        FrameDecoder.decode(frame, linkType: linkType)
    }

    @Test func requestDecodesEveryField() throws {
        let frame = decode(F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2")))
        let arp = try #require(frame.arp)
        #expect(frame.malformed == nil)
        #expect(frame.findings.isEmpty)
        #expect(arp.operation == .request)
        #expect(arp.isEthernetIPv4)
        #expect(arp.senderHardware == .mac(MACAddress("02:00:5e:00:00:01")!))
        #expect(arp.senderProtocol == .ipv4(IPAddress("198.18.0.1")!))
        #expect(arp.targetProtocol == .ipv4(IPAddress("198.18.0.2")!))
        #expect(arp.label == "request")
        #expect(!arp.isGratuitous && !arp.isProbe)
        #expect(frame.link.destination == .broadcast)
    }

    @Test func replyProbeAnnouncementAndGratuitousReplyAreLabelled() throws {
        let reply = try #require(decode(F.ethernet(dst: F.macA, src: F.macB, type: 0x0806,
            F.arp(op: 2, sha: F.macB, spa: "198.18.0.2", tha: F.macA, tpa: "198.18.0.1"))).arp)
        #expect(reply.label == "reply")

        let probe = try #require(decode(F.ethernet(type: 0x0806,
            F.arp(op: 1, sha: F.macA, spa: "0.0.0.0", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.9"))).arp)
        #expect(probe.isProbe && !probe.isGratuitous)
        #expect(probe.label == "probe")

        let announcement = try #require(decode(F.ethernet(type: 0x0806,
            F.arp(op: 1, sha: F.macA, spa: "198.18.0.9", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.9"))).arp)
        #expect(announcement.isGratuitous && !announcement.isProbe)
        #expect(announcement.label == "announcement")

        let gratuitousReply = try #require(decode(F.ethernet(type: 0x0806,
            F.arp(op: 2, sha: F.macA, spa: "198.18.0.9", tha: F.broadcast, tpa: "198.18.0.9"))).arp)
        #expect(gratuitousReply.label == "gratuitous reply")
    }

    @Test func rarpAndInARPOperations() throws {
        let rarp = try #require(decode(F.ethernet(type: 0x8035, F.arp(op: 3, sha: F.macA, spa: "0.0.0.0", tha: F.macA, tpa: "0.0.0.0"))).arp)
        #expect(rarp.operation == .rarpRequest)
        #expect(rarp.operation.name == "rarp-request")
        #expect(rarp.viaRARPEtherType)
        let rarpReply = try #require(decode(F.ethernet(type: 0x8035, F.arp(op: 4, sha: F.macB, spa: "198.18.0.2", tha: F.macA, tpa: "198.18.0.5"))).arp)
        #expect(rarpReply.operation.name == "rarp-reply")
        let inARP = try #require(decode(F.ethernet(type: 0x0806, F.arp(op: 8, sha: F.macA, spa: "198.18.0.1", tha: F.macB, tpa: "0.0.0.0"))).arp)
        #expect(inARP.operation == .inARPRequest)
        #expect(try #require(decode(F.ethernet(type: 0x0806, F.arp(op: 42, sha: F.macA, spa: "198.18.0.1", tha: F.macB, tpa: "0.0.0.0"))).arp).operation.name == "op-42")
    }

    @Test func otherHardwareAndProtocolSizesAreKeptAsBytes() throws {
        // InfiniBand-style 20-byte hardware addresses with IPv4.
        let sha = Array(1...20).map(UInt8.init)
        let body = F.be16(32) + F.be16(0x0800) + [20, 4] + F.be16(1) + sha + F.ipv4("198.18.0.1") + Array(repeating: 0, count: 20) + F.ipv4("198.18.0.2")
        let arp = try #require(decode(F.ethernet(type: 0x0806, body)).arp)
        #expect(!arp.isEthernetIPv4)
        #expect(arp.senderHardware == .bytes(sha))
        #expect(arp.targetProtocol == .ipv4(IPAddress("198.18.0.2")!))
        #expect(arp.hardwareType == 32)
    }

    @Test func ethernetSourceDifferentFromSenderIsFlagged() {
        let frame = decode(F.ethernet(src: F.macB, type: 0x0806, F.arp(op: 2, sha: F.macA, spa: "198.18.0.1", tha: F.macB, tpa: "198.18.0.2")))
        #expect(frame.findings == [.linkSourceMismatch(frame: MACAddress("02:00:5e:00:00:02")!, claimed: MACAddress("02:00:5e:00:00:01")!)])
    }

    @Test func hardwareLengthZeroIsMalformedNotALoop() {
        let body = F.be16(1) + F.be16(0x0800) + [0, 4] + F.be16(1) + F.ipv4("198.18.0.1") + F.ipv4("198.18.0.2")
        let frame = decode(F.ethernet(type: 0x0806, body))
        #expect(frame.malformed == .malformed("hardware address length 0"))
        #expect(frame.arp?.operation == .request)
    }

    @Test func everyTruncationIsReportedWithWhatWasRead() {
        let whole = F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2"))
        for length in 0..<whole.count {
            let frame = FrameDecoder.decode(Array(whole[0..<length]), originalLength: whole.count)
            guard case .truncated(let truncated)? = frame.malformed else {
                Issue.record("length \(length): expected truncation, got \(String(describing: frame.malformed))")
                continue
            }
            #expect(truncated.available < truncated.needed)
            #expect(frame.malformedReason?.contains("raise --snaplen") == true)
            if length >= 28 { #expect(frame.arp?.senderHardware != nil) }
        }
    }

    @Test func vlanQinQAndCookedHeaders() throws {
        let arpBody = F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2")
        let tagged = decode(F.ethernet(type: 0x0806, vlans: [100], arpBody))
        #expect(tagged.link.vlanIDs == [100])
        #expect(tagged.arp?.operation == .request)
        let qinq = decode(F.ethernet(type: 0x0806, vlans: [10, 20], arpBody))
        #expect(qinq.link.vlanIDs == [10, 20])
        #expect(qinq.arp != nil)

        // Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, address length 6, address, protocol.
        let sll = F.be16(0) + F.be16(1) + F.be16(6) + F.macA + [0, 0] + F.be16(0x0806) + arpBody
        let cooked = decode(sll, .linuxSLL)
        #expect(cooked.link.source == MACAddress("02:00:5e:00:00:01"))
        #expect(cooked.link.direction == .toUs)
        #expect(cooked.arp?.operation == .request)

        // Linux cooked v2: protocol, reserved, interface index, ARPHRD, packet type, address length, address.
        let sll2 = F.be16(0x0806) + [0, 0] + F.be32(7) + F.be16(1) + [1, 6] + F.macA + [0, 0] + arpBody
        let cooked2 = decode(sll2, .linuxSLL2)
        #expect(cooked2.link.interfaceIndex == 7)
        #expect(cooked2.link.direction == .broadcast)
        #expect(cooked2.arp?.targetProtocol == .ipv4(IPAddress("198.18.0.2")!))
    }

    @Test func unsupportedLinkTypeDecodesNothing() {
        // DLT_USER0: nothing a decoder can know.
        let frame = FrameDecoder.decode([0x45, 0, 0, 20], linkType: LinkType(dlt: 147))
        #expect(frame.content == .none)
        #expect(frame.malformed == nil)
    }
}
