import Rendering

/// `ip-classify` human output: the canonical form on one line, then labelled facts.
public enum AddressText {
    public static func render(_ c: AddressClassification) -> String {
        var fields = FieldList()
        let family = c.address.family
        fields.add("version", "IPv\(family.rawValue)")
        if let zone = c.input.zone { fields.add("zone", "\(zone) (the interface a link-local address belongs to)") }
        fields.add("scope", "\(c.scope.rawValue) (\(c.scope.explanation))")
        fields.add("global", globalText(c))
        if let name = c.wellKnownName { fields.add("group", name) }
        if let m = c.multicast { fields.add("multicast", multicastText(m)) }
        if let teredo = c.teredo {
            fields.add("teredo", "server \(teredo.server), client \(teredo.client) port \(teredo.port), "
                + "flags 0x\(String(teredo.flags, radix: 16))" + (teredo.cone ? " (cone NAT)" : ""))
        }
        if !c.embedded.isEmpty {
            fields.add("embedded", c.embedded.map {
                "\($0.role.label) \($0.address): \($0.scope.rawValue), \($0.isGlobal ? "globally reachable" : "not globally reachable")"
            }.joined(separator: "\n"))
        }
        if let group = c.solicitedNodeGroup { fields.add("solicited-node", "\(group) (where Neighbor Solicitations for it are sent)") }
        if let mac = c.eui64MAC { fields.add("EUI-64 MAC", "\(AddressFormatter.macString(mac)) (the interface id was built from this MAC)") }
        if let prefix = c.prefix { addNetwork(prefix, contained: c.containedEntries, to: &fields) }

        let registry = SpecialPurposeRegistry.entries(for: family).first?.registryName ?? ""
        if c.specialEntries.isEmpty {
            fields.add("registry", "no special-purpose entry (\(registry), last updated \(SpecialPurposeRegistry.lastUpdated(for: family)))")
        } else {
            fields.add("registry", c.specialEntries.map(entryText).joined(separator: "\n")
                + "\n(\(registry), last updated \(SpecialPurposeRegistry.lastUpdated(for: family)))")
        }
        if !c.addressSpaceEntries.isEmpty {
            fields.add("address space", c.addressSpaceEntries.map { block in
                "\(block.block) \(block.name) [\(block.registry)]" + (block.reference.isEmpty ? "" : " \(block.reference)")
            }.joined(separator: "\n"))
        }
        let head = c.prefix.map { $0.description } ?? c.address.description + (c.input.zone.map { "%" + $0 } ?? "")
        return head + "\n" + fields.render()
    }

    static func globalText(_ c: AddressClassification) -> String {
        let answer = c.isGlobal ? "yes" : "no"
        switch c.globalBasis {
        case .registry:
            let entry = c.globalRow!
            return "\(answer): \(entry.prefix) \(entry.name) has Globally Reachable = \(entry.globallyReachable.rawValue)"
        case .embedded(_, let inner):
            return "\(answer): \(c.globalRow!.name) has Globally Reachable = N/A, so the embedded \(inner.role.label) \(inner.address) decides"
        case .multicastScope(let scope):
            return "\(answer): multicast with \(scope.name) scope"
        case .ipv4Unicast:
            return "\(answer): IPv4 unicast outside every special-purpose block"
        case .ipv6GlobalUnicast:
            return "\(answer): inside 2000::/3 (global unicast) and outside every special-purpose block"
        case .ipv6Reserved:
            return "\(answer): IPv6 space the IETF reserves (outside 2000::/3)"
        case .mixed:
            let count = c.containedRows.count
            return "\(answer) as a whole: it holds \(count) special-purpose block\(count == 1 ? "" : "s") with rules of their own (see contains)"
        }
    }

    static func multicastText(_ m: MulticastInfo) -> String {
        var parts = ["scope \(m.scope.name)"]
        if case .ipv6(let id) = m.scope {
            parts[0] += " (\(String(id, radix: 16)))"
            var flags: [String] = []
            if m.embeddedRP { flags.append("R embedded RP") }
            if m.prefixBased { flags.append("P prefix-based") }
            flags.append(m.transient ? "T transient" : "permanent (IANA-assigned)")
            parts.append(flags.joined(separator: ", "))
        }
        parts.append("Ethernet \(AddressFormatter.macString(m.mac))")
        if let low = m.solicitedNodeLow24 {
            parts.append("solicited-node group of every unicast address whose low 24 bits are \(AddressJSON.low24Text(low)) "
                + "(e.g. \(IPAddress.v6(0xfe80 << 112 | UInt128(low))))")
        }
        return parts.joined(separator: "; ")
    }

    static func entryText(_ entry: SpecialPurposeEntry) -> String {
        var text = "\(entry.prefix) \(entry.name) \(entry.rfc), allocated \(entry.allocationDate)"
        if let terminated = entry.terminationDate {
            text += ", terminated \(terminated) (flag cells empty)"
        } else {
            text += "\n  source \(entry.source.rawValue), destination \(entry.destination.rawValue), "
                + "forwardable \(entry.forwardable.rawValue), globally reachable \(entry.globallyReachable.rawValue), "
                + "reserved-by-protocol \(entry.reservedByProtocol.rawValue)"
        }
        for note in entry.footnotes { text += "\n  " + note }
        return text
    }

    static func addNetwork(_ prefix: IPPrefix, contained: [SpecialPurposeEntry], to fields: inout FieldList) {
        let usable = prefix.usableRange
        fields.add("network", prefix.description)
        fields.add("netmask", prefix.netmask.description)
        fields.add("wildcard", prefix.wildcard.description)
        if let broadcast = prefix.broadcast { fields.add("broadcast", broadcast.description) }
        fields.add("hosts", "\(usable.first) - \(usable.last)")
        fields.add("addresses", grouped(digits: prefix.addressCount))
        fields.add("usable hosts", grouped(digits: prefix.usableHostCount) + usableNote(prefix))
        if !contained.isEmpty {
            fields.add("contains", contained.map { "\($0.prefix) \($0.name)" }.joined(separator: "\n"))
        }
    }

    private static func usableNote(_ prefix: IPPrefix) -> String {
        switch (prefix.family, prefix.hostBits) {
        case (.v4, 1): return " (RFC 3021 point-to-point: both addresses usable)"
        case (.v4, 0), (.v6, 0): return " (a single host)"
        case (.v4, _): return " (network and broadcast addresses excluded)"
        case (.v6, 1): return " (RFC 6164 point-to-point: both addresses usable)"
        case (.v6, _): return " (Subnet-Router anycast address excluded)"
        }
    }
}
