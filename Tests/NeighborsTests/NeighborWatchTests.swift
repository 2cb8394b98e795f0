import Addresses
import Foundation
import Capture
import Neighbors
import Packets
import Rendering
import PacketFixtures
import Testing

@Suite("Neighbour table and alerts")
struct NeighborWatchTests {
    typealias F = Frames
    static let macC: [UInt8] = [0x00, 0x00, 0x0c, 0x12, 0x34, 0x56]  // a Cisco OUI

    /// Feeds frames one second apart and returns every alert raised.
    func run(_ frames: [[UInt8]], routers: [RouterIdentity] = [], limit: Int = NeighborWatch.defaultLimit) -> (alerts: [Alert], processor: FrameProcessor) {
        var processor = FrameProcessor(linkType: .ethernet, format: .none, expectedRouters: routers, tableLimit: limit)
        var out = JSONLine()
        var alerts: [Alert] = []
        for (index, frame) in frames.enumerated() {
            alerts += processor.process(frame, time: Timestamp(seconds: 1_795_000_000 + index, microseconds: 0), to: &out)
        }
        return (alerts, processor)
    }

    func reply(from mac: [UInt8], ip: String) -> [UInt8] {
        F.ethernet(dst: F.macB, src: mac, type: 0x0806, F.arp(op: 2, sha: mac, spa: ip, tha: F.macB, tpa: "198.18.0.2"))
    }

    @Test("--table-limit: the least recently seen entry goes, refreshed ones stay; one alert says so")
    func tableLimitEvictsLeastRecentlySeen() throws {
        let (alerts, processor) = run(["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.1", "198.18.0.4", "198.18.0.5"]
            .map { reply(from: F.macA, ip: $0) }, limit: 3)
        #expect(processor.watch.entries.map(\.address.description) == ["198.18.0.1", "198.18.0.4", "198.18.0.5"])
        #expect(processor.watch.evicted == 2 && processor.watch.count == 3)
        let full = alerts.filter { if case .tableFull = $0.kind { true } else { false } }
        #expect(full.count == 1 && full.first?.address == IPAddress("198.18.0.2"), "\(full)")
        #expect(full.first?.message.hasPrefix("neighbour table full at 3 addresses (--table-limit)") == true)
    }

    @Test("100,000 spoofed senders leave the table at its limit")
    func spoofedFloodIsBounded() {
        var processor = FrameProcessor(linkType: .ethernet, format: .none, tableLimit: 1_000)
        var out = JSONLine()
        var full = 0
        for index in 0..<100_000 {
            let mac: [UInt8] = [0x02, 0, 0, UInt8(index >> 16), UInt8(index >> 8 & 0xff), UInt8(index & 0xff)]
            let address = "198.18.\(index >> 8 & 0xff).\(index & 0xff)"
            let alerts = processor.process(reply(from: mac, ip: index < 65_536 ? address : "198.19.\(index >> 8 & 0xff).\(index & 0xff)"),
                                           time: Timestamp(seconds: 1_795_000_000, microseconds: 0), to: &out)
            full += alerts.filter { if case .tableFull = $0.kind { true } else { false } }.count
        }
        #expect(processor.watch.count == 1_000 && processor.watch.evicted == 99_000 && full == 1)
    }

    @Test func sameAddressFromTwoMACsRaisesChangedMAC() throws {
        let (alerts, processor) = run([reply(from: F.macA, ip: "198.18.0.7"), reply(from: Self.macC, ip: "198.18.0.7")])
        #expect(alerts.map(\.kind) == [.newStation, .changedMAC(flipFlop: false)])
        let changed = try #require(alerts.last)
        #expect(changed.address == IPAddress("198.18.0.7"))
        #expect(changed.mac == MACAddress("00:00:0c:12:34:56"))
        #expect(changed.otherMAC == MACAddress("02:00:5e:00:00:01"))
        #expect(changed.message == "changed MAC: 198.18.0.7 moved from 02:00:5e:00:00:01 to 00:00:0c:12:34:56")
        let entry = try #require(processor.watch.entries.first)
        #expect(entry.mac == MACAddress("00:00:0c:12:34:56") && entry.previousMAC == MACAddress("02:00:5e:00:00:01"))
        #expect(entry.packets == 2)
        #expect(entry.firstSeen.seconds == 1_795_000_000 && entry.lastSeen.seconds == 1_795_000_001)
    }

    @Test("the unspecified address is never learnt: RARP requests, probes")
    func unspecifiedNeverLearnt() {
        let rarp = F.ethernet(src: F.macA, type: 0x8035, F.arp(op: 3, sha: F.macA, spa: "0.0.0.0", tha: F.macA, tpa: "0.0.0.0"))
        let (alerts, processor) = run([rarp, rarp])
        #expect(alerts.isEmpty)
        #expect(processor.watch.entries.isEmpty)
    }

    @Test func movingBackIsAFlipFlop() {
        let (alerts, _) = run([reply(from: F.macA, ip: "198.18.0.7"), reply(from: F.macB, ip: "198.18.0.7"), reply(from: F.macA, ip: "198.18.0.7")])
        #expect(alerts.map(\.kind) == [.newStation, .changedMAC(flipFlop: false), .changedMAC(flipFlop: true)])
    }

    @Test func answeredARPProbeIsADuplicate() {
        let probe = F.ethernet(src: F.macA, type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "0.0.0.0", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.9"))
        let answer = F.ethernet(dst: F.macA, src: F.macB, type: 0x0806, F.arp(op: 2, sha: F.macB, spa: "198.18.0.9", tha: F.macA, tpa: "0.0.0.0"))
        let (alerts, _) = run([probe, answer])
        #expect(alerts.first?.kind == .duplicateAddress)
        #expect(alerts.first?.mac == MACAddress("02:00:5e:00:00:02"))
        #expect(alerts.first?.otherMAC == MACAddress("02:00:5e:00:00:01"))
        // The prober's own announcement afterwards is not a conflict.
        let own = F.ethernet(src: F.macA, type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.10", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.10"))
        let ownProbe = F.ethernet(src: F.macA, type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "0.0.0.0", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.10"))
        #expect(!run([ownProbe, own]).alerts.contains { $0.kind == .duplicateAddress })
    }

    @Test func dadConflictIsADuplicate() {
        let target = F.ipv6("2001:2::5")
        let dad = F.ndpFrame(src: "::", dst: "ff02::1:ff00:5", type: 135, body: [0, 0, 0, 0] + target, linkSource: F.macA)
        let defence = F.ndpFrame(src: "2001:2::5", dst: "ff02::1", type: 136, body: F.be32(0x2000_0000) + target + F.tlla(F.macB), linkSource: F.macB)
        let (alerts, _) = run([dad, defence])
        #expect(alerts.map(\.kind) == [.duplicateAddress, .newStation])
        #expect(alerts.first?.address == IPAddress("2001:2::5"))
    }

    @Test func gratuitousARPIsReported() {
        let announcement = F.ethernet(type: 0x0806, F.arp(op: 1, sha: F.macA, spa: "198.18.0.9", tha: [0, 0, 0, 0, 0, 0], tpa: "198.18.0.9"))
        #expect(run([announcement]).alerts.map(\.kind) == [.gratuitousARP, .newStation])
    }

    @Test func routerAdvertisementsFromUnnamedRouters() {
        let ra = F.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: F.routerAdvertisement(options: F.slla(F.macA)))
        #expect(run([ra, ra]).alerts.filter { $0.kind == .unexpectedRouter }.count == 1, "once per router, not per packet")
        #expect(run([ra], routers: [.address(IPAddress("fe80::1")!)]).alerts.allSatisfy { $0.kind != .unexpectedRouter })
        #expect(run([ra], routers: [.mac(MACAddress("02:00:5e:00:00:01")!)]).alerts.allSatisfy { $0.kind != .unexpectedRouter })
        #expect(run([ra], routers: [.address(IPAddress("fe80::99")!)]).alerts.contains { $0.kind == .unexpectedRouter })
    }

    @Test func forwardedNDPTeachesNothing() {
        let forged = F.ndpFrame(src: "2001:2::5", dst: "ff02::1", hopLimit: 64, type: 136, body: F.be32(0x2000_0000) + F.ipv6("2001:2::5") + F.tlla(F.macA))
        let (alerts, processor) = run([forged])
        #expect(alerts.isEmpty)
        #expect(processor.watch.entries.isEmpty)
    }

    @Test func tableAndAlertRendering() throws {
        let vendors = VendorDirectory(ouiText: """
            00-00-0C   (hex)\t\tCisco Systems, Inc
            00000C     (base 16)\t\tCisco Systems, Inc
            """)
        #expect(vendors.vendor(of: MACAddress("00:00:0c:12:34:56")!) == "Cisco Systems, Inc")
        #expect(vendors.vendor(of: MACAddress("02:00:5e:00:00:01")!) == "locally administered")
        #expect(vendors.vendor(of: MACAddress("00:11:22:33:44:55")!) == nil)

        let (alerts, processor) = run([reply(from: Self.macC, ip: "198.18.0.7"), reply(from: F.macA, ip: "198.18.0.8")])
        let text = NeighborReport.text(processor.watch.entries, vendors: vendors)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ADDRESS"))
        #expect(lines[1].hasPrefix("198.18.0.7") && lines[1].contains("00:00:0c:12:34:56") && lines[1].contains("Cisco Systems, Inc"))
        #expect(lines[2].contains("locally administered"))

        let json = String(decoding: NeighborReport.json(processor.watch.entries, vendors: vendors), as: UTF8.self)
        let first = try #require(JSONSerialization.jsonObject(with: Data(json.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(first["ip"] as? String == "198.18.0.7")
        #expect(first["vendor"] as? String == "Cisco Systems, Inc")
        #expect(first["packets"] as? Int == 1)

        let alert = try #require(JSONSerialization.jsonObject(with: Data(NeighborReport.json(alerts[0], vendors: vendors))) as? [String: Any])
        #expect(alert["alert"] as? String == "new-station")
        #expect(alert["ip"] as? String == "198.18.0.7")
        #expect(NeighborReport.text(alerts[0]).contains("new station 198.18.0.7 at 00:00:0c:12:34:56"))
    }
}
