import Capture
import Foundation
import PacketFixtures
import Packets
import Testing

@Suite("BPF filter and pcap files")
struct CaptureTests {
    typealias F = Frames

    static let arpRequest = F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.1", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.2"))
    static let ns = F.ndpFrame(src: "fe80::1", dst: "ff02::1:ff00:2", type: 135, body: [0, 0, 0, 0] + F.ipv6("fd00:198:18::2") + F.slla(F.macA))
    static let echoRequest = F.ethernet(type: 0x86dd, F.icmpv6(src: "fd00:198:18::1", dst: "fd00:198:18::2", type: 128, body: [0, 1, 0, 1]))
    static let udp = F.ethernet(type: 0x0800, [0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0] + F.ipv4("198.18.0.1") + F.ipv4("198.18.0.2") + [0, 53, 0, 53, 0, 8, 0, 0])

    /// The untagged frame, inside one 802.1Q tag, and inside an 802.1ad + 802.1Q pair.
    static func tagged(_ frame: [UInt8]) -> [[UInt8]] {
        let payload = Array(frame[14...])
        let type = Int(frame[12]) << 8 | Int(frame[13])
        return [frame, F.ethernet(type: type, vlans: [100], payload), F.ethernet(type: type, vlans: [10, 20], payload)]
    }

    @Test func defaultFilterTakesARPAndNDPTaggedOrNot() throws {
        let dead = PcapHandle.dead(linkType: .ethernet)
        let expression = CaptureFilter.expression(.arpAndNDP, linkType: .ethernet, user: nil)
        for frame in Self.tagged(Self.arpRequest) + Self.tagged(Self.ns) {
            #expect(try dead.filterMatches(expression, frame))
        }
        for frame in Self.tagged(Self.echoRequest) + Self.tagged(Self.udp) {
            #expect(try !dead.filterMatches(expression, frame))
        }
        #expect(try dead.filterMatches(CaptureFilter.expression(.arp, linkType: .ethernet, user: nil), Self.arpRequest))
        #expect(try !dead.filterMatches(CaptureFilter.expression(.arp, linkType: .ethernet, user: nil), Self.ns))
        #expect(try dead.filterMatches(CaptureFilter.expression(.ndp, linkType: .ethernet, user: nil), Self.ns))
        #expect(try !dead.filterMatches(CaptureFilter.expression(.ndp, linkType: .ethernet, user: nil), Self.arpRequest))
    }

    @Test func userFilterNarrowsFurther() throws {
        let dead = PcapHandle.dead(linkType: .ethernet)
        let mine = CaptureFilter.expression(.arpAndNDP, linkType: .ethernet, user: "ether src 02:00:5e:00:00:01")
        let theirs = CaptureFilter.expression(.arpAndNDP, linkType: .ethernet, user: "ether src 02:00:5e:00:00:02")
        #expect(try dead.filterMatches(mine, Self.arpRequest))
        #expect(try !dead.filterMatches(theirs, Self.arpRequest))
        #expect(try !dead.filterMatches(mine, Self.udp))
    }

    @Test func cookedCaptureFilterHasNoVLANPart() throws {
        let expression = CaptureFilter.expression(.arpAndNDP, linkType: .linuxSLL2, user: nil)
        #expect(!expression.contains("vlan"))
        _ = try PcapHandle.dead(linkType: .linuxSLL2).filterMatches(expression, [])
    }

    @Test func badExpressionCarriesLibpcapsMessage() {
        #expect(throws: CaptureError.badFilter(expression: "port port", message: "can't parse filter expression: syntax error")) {
            try PcapHandle.dead(linkType: .ethernet).filterMatches("port port", [])
        }
    }

    @Test func writtenFileReadsBackThroughTheFilter() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nettool-\(UUID()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapHandle.dead(linkType: .ethernet).writer(path: path)
        let frames = [Self.arpRequest, Self.udp, Self.ns]
        for (index, frame) in frames.enumerated() { writer.write(frame, time: Timestamp(seconds: 1_795_000_000 + index, microseconds: 250)) }
        writer.close()

        let reader = try PcapHandle.offline(path: path)
        #expect(reader.linkType == .ethernet)
        try reader.setFilter(CaptureFilter.expression(.arpAndNDP, linkType: .ethernet, user: nil))
        var read: [([UInt8], Timestamp)] = []
        while case .packet(let packet) = try reader.next() { read.append((Array(packet.bytes), packet.time)) }
        #expect(read.map(\.0) == [Self.arpRequest, Self.ns], "the UDP frame is filtered out")
        #expect(read.map(\.1) == [Timestamp(seconds: 1_795_000_000, microseconds: 250), Timestamp(seconds: 1_795_000_002, microseconds: 250)])
        #expect(reader.statistics() == nil)
    }

    @Test("the end of a file and a break are told apart, though libpcap returns -2 for both")
    func endOfFileIsNotInterrupted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nettool-\(UUID()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapHandle.dead(linkType: .ethernet).writer(path: path)
        for index in 0..<3 { writer.write(Self.arpRequest, time: Timestamp(seconds: 1_795_000_000 + index, microseconds: 0)) }
        writer.close()
        let whole = try PcapHandle.offline(path: path)
        var packets = 0
        var last = try whole.next()
        while case .packet = last {
            packets += 1
            last = try whole.next()
        }
        #expect(packets == 3)
        guard case .endOfFile = last else { Issue.record("the end of the file came back as \(last)"); return }
        let broken = try PcapHandle.offline(path: path)
        broken.breakLoop()
        guard case .interrupted = try broken.next() else { Issue.record("a break did not interrupt"); return }
    }

    @Test func pcapngIsReadToo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nettool-\(UUID()).pcapng").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PcapNG.file(frames: [Self.arpRequest, Self.ns], microseconds: 1_795_000_000_000_001).write(to: URL(fileURLWithPath: path))
        let reader = try PcapHandle.offline(path: path)
        var frames: [[UInt8]] = []
        var times: [Timestamp] = []
        while case .packet(let packet) = try reader.next() {
            frames.append(Array(packet.bytes))
            times.append(packet.time)
        }
        #expect(frames == [Self.arpRequest, Self.ns])
        #expect(times.first == Timestamp(seconds: 1_795_000_000, microseconds: 1))
    }

    @Test func unreadableFileIsReported() {
        #expect {
            try PcapHandle.offline(path: "/nonexistent/capture.pcap")
        } throws: { error in
            guard case .cannotReadFile(let path, let message)? = error as? CaptureError else { return false }
            return path == "/nonexistent/capture.pcap" && message.contains("No such file")
        }
    }

    @Test func interfacesIncludeLoopback() throws {
        let interfaces = try CaptureInterface.all()
        let loopback = try #require(interfaces.first { $0.name == "lo" })
        #expect(loopback.isLoopback && loopback.isUp)
        #expect(loopback.addresses.map(\.description).contains("127.0.0.1"))
        #expect(CaptureInterface.name(index: 1) == "lo")
    }
}

/// A minimal pcapng writer (section header, one Ethernet interface, enhanced packet blocks),
/// written from the pcapng spec so the reader is checked against bytes libpcap did not make.
enum PcapNG {
    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xff) } }

    static func block(_ type: Int, _ body: [UInt8]) -> [UInt8] {
        let padded = body + Array(repeating: 0, count: (4 - body.count % 4) % 4)
        let length = padded.count + 12
        return le32(type) + le32(length) + padded + le32(length)
    }

    static func file(frames: [[UInt8]], microseconds: Int) -> Data {
        var bytes = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + le32(-1) + le32(-1))
        bytes += block(1, le16(1) + le16(0) + le32(262_144))
        for (index, frame) in frames.enumerated() {
            let time = microseconds + index
            bytes += block(6, le32(0) + le32(time >> 32) + le32(time & 0xffff_ffff) + le32(frame.count) + le32(frame.count) + frame)
        }
        return Data(bytes)
    }
}
