import Addresses
import Tables
import Packets

/// One learnt binding of an IP address to a MAC.
public struct NeighborEntry: Equatable, Sendable {
    public var address: IPAddress
    public var mac: MACAddress
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var packets: Int
    /// The MAC before the latest change, if the address ever moved.
    public var previousMAC: MACAddress?
}

/// Learns the IP-to-MAC table from decoded ARP and NDP and raises arpwatch/ndpmon-style
/// alerts. Pure: frames and their capture times in, alerts out, so offline files and crafted
/// sequences behave exactly like live traffic.
public struct NeighborWatch {
    /// How long an ARP probe or DAD probe waits for a conflicting answer (RFC 5227 and
    /// RFC 4862 wait about a second or two; this leaves room for slow links).
    public static let probeWindowSeconds = 5

    /// The default --table-limit: far more stations than a real segment holds, a few tens of
    /// megabytes at most.
    public static let defaultLimit = 65_536

    /// The stations learnt, the least recently seen dropped first past `limit`.
    private var table: RecencyTable<IPAddress, NeighborEntry>
    private var probes: [IPAddress: (mac: MACAddress, time: Timestamp)] = [:]
    private var routersSeen: Set<String> = []
    private let expectedRouters: [RouterIdentity]
    /// At most this many addresses are kept (table, pending probes, routers seen): a flood of
    /// spoofed senders evicts the least recently seen instead of growing memory without bound.
    public var limit: Int { table.limit }
    public var evicted: Int { table.evicted }

    public init(expectedRouters: [RouterIdentity] = [], limit: Int = NeighborWatch.defaultLimit) {
        self.expectedRouters = expectedRouters
        table = RecencyTable(limit: max(1, limit))
    }

    public var count: Int { table.count }

    /// Entries ordered by address (IPv4 before IPv6).
    public var entries: [NeighborEntry] { table.values.sorted { $0.address < $1.address } }

    public mutating func observe(_ frame: DecodedFrame, time: Timestamp) -> [Alert] {
        guard frame.malformed == nil else { return [] }
        var alerts: [Alert] = []
        switch frame.content {
        case .arp(let packet): observeARP(packet, time: time, alerts: &alerts)
        case .ndp(let packet): observeNDP(packet, link: frame.link, findings: frame.findings, time: time, alerts: &alerts)
        case .ip, .other, .none: break
        }
        return alerts
    }

    private mutating func observeARP(_ packet: ARPPacket, time: Timestamp, alerts: inout [Alert]) {
        guard let mac = packet.senderHardware?.mac, case .ipv4(let sender)? = packet.senderProtocol else { return }
        if packet.isProbe {
            guard case .ipv4(let target)? = packet.targetProtocol else { return }
            checkProbe(target, from: mac, time: time, alerts: &alerts)
            return
        }
        // 0.0.0.0 is no one's address (a RARP request, a probe by another name): nothing to learn.
        guard sender != .v4(0) else { return }
        claimDuringProbe(sender, by: mac, time: time, alerts: &alerts)
        if packet.isGratuitous { alerts.append(Alert(kind: .gratuitousARP, time: time, address: sender, mac: mac)) }
        learn(sender, mac, time: time, alerts: &alerts)
    }

    private mutating func observeNDP(_ packet: NDPPacket, link: LinkHeader, findings: [Finding], time: Timestamp, alerts: inout [Alert]) {
        // Hosts drop these (RFC 4861), so they teach nothing about the link.
        guard !findings.contains(where: { if case .hopLimitNot255 = $0 { true } else if case .badChecksum = $0 { true } else { false } }) else { return }
        let source = packet.ip.source
        switch packet.message {
        case .neighborSolicitation(let target)?:
            if packet.isDAD {
                if let mac = link.source ?? packet.sourceLinkLayerAddress { checkProbe(target, from: mac, time: time, alerts: &alerts) }
            } else if let mac = packet.sourceLinkLayerAddress {
                learn(source, mac, time: time, alerts: &alerts)
            }
        case .neighborAdvertisement(let target, _)?:
            guard let mac = packet.targetLinkLayerAddress ?? link.source else { return }
            claimDuringProbe(target, by: mac, time: time, alerts: &alerts)
            learn(target, mac, time: time, alerts: &alerts)
        case .routerAdvertisement?:
            let mac = packet.sourceLinkLayerAddress ?? link.source
            if let mac { learn(source, mac, time: time, alerts: &alerts) }
            checkRouter(source, mac: mac, time: time, alerts: &alerts)
        case .routerSolicitation?, .redirect?:
            if source != IPAddress.v6(0), let mac = packet.sourceLinkLayerAddress { learn(source, mac, time: time, alerts: &alerts) }
        case nil:
            break
        }
    }

    private mutating func learn(_ address: IPAddress, _ mac: MACAddress, time: Timestamp, alerts: inout [Alert]) {
        guard address != .v4(0) && address != .v6(0) else { return }
        let wasFull = table.evicted
        let (alert, dropped) = table.update(address, orInsert: { NeighborEntry(address: address, mac: mac, firstSeen: time, lastSeen: time, packets: 0) }) {
            entry -> Alert? in
            entry.lastSeen = time
            entry.packets += 1
            if entry.packets == 1 { return Alert(kind: .newStation, time: time, address: address, mac: mac) }
            guard entry.mac != mac else { return nil }
            let flipFlop = entry.previousMAC == mac
            defer { (entry.previousMAC, entry.mac) = (entry.mac, mac) }
            return Alert(kind: .changedMAC(flipFlop: flipFlop), time: time, address: address, mac: mac, otherMAC: entry.mac)
        }
        // The first eviction of a run says the table is full; the rest only count.
        if let dropped, wasFull == 0 {
            alerts.append(Alert(kind: .tableFull(limit: limit), time: time, address: dropped.address, mac: dropped.mac))
        }
        if let alert { alerts.append(alert) }
    }

    /// A probe (ARP with sender 0.0.0.0, or NS from ::) for `address`; a second prober is a conflict.
    private mutating func checkProbe(_ address: IPAddress, from mac: MACAddress, time: Timestamp, alerts: inout [Alert]) {
        if let pending = probes[address], pending.mac != mac, isRecent(pending.time, now: time) {
            alerts.append(Alert(kind: .duplicateAddress, time: time, address: address, mac: mac, otherMAC: pending.mac))
        }
        if probes.count >= limit { probes = probes.filter { isRecent($0.value.time, now: time) } }
        if probes.count >= limit { probes.removeAll() }
        probes[address] = (mac, time)
    }

    /// Someone else claiming an address while a probe for it is pending: the probe is answered.
    private mutating func claimDuringProbe(_ address: IPAddress, by mac: MACAddress, time: Timestamp, alerts: inout [Alert]) {
        guard let pending = probes[address] else { return }
        if pending.mac != mac && isRecent(pending.time, now: time) {
            alerts.append(Alert(kind: .duplicateAddress, time: time, address: address, mac: mac, otherMAC: pending.mac))
        }
        probes[address] = nil
    }

    private func isRecent(_ then: Timestamp, now: Timestamp) -> Bool {
        now.seconds - then.seconds <= Self.probeWindowSeconds
    }

    private mutating func checkRouter(_ address: IPAddress, mac: MACAddress?, time: Timestamp, alerts: inout [Alert]) {
        let expected = expectedRouters.contains { identity in
            switch identity {
            case .address(let named): named == address
            case .mac(let named): named == mac
            }
        }
        guard !expected else { return }
        // Once per router: a rogue router repeating itself every few seconds is one finding.
        let key = "\(address) \(mac?.description ?? "")"
        if routersSeen.count >= limit { routersSeen.removeAll() }  // bounded: a forgotten router may be reported again
        guard routersSeen.insert(key).inserted else { return }
        alerts.append(Alert(kind: .unexpectedRouter, time: time, address: address, mac: mac ?? .zero))
    }
}
