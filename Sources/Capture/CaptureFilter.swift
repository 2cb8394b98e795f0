import Packets

/// The BPF expressions `capture` hands to libpcap.
public enum CaptureFilter {
    public enum Protocols: Sendable {
        case arpAndNDP, arp, ndp
    }

    /// ARP, RARP and ICMPv6 types 133-137. On Ethernet the same again inside one and two
    /// VLAN tags: `vlan` shifts every later offset, so the untagged test must come first.
    /// A user's expression goes in front, where offsets are still those of an untagged frame.
    public static func expression(_ protocols: Protocols, linkType: LinkType, user: String?) -> String {
        let arp = "arp or rarp"
        let ndp = "(icmp6 and ip6[40] >= 133 and ip6[40] <= 137)"
        let base = switch protocols {
        case .arpAndNDP: "\(arp) or \(ndp)"
        case .arp: arp
        case .ndp: ndp
        }
        let full = linkType == .ethernet ? "\(base) or (vlan and (\(base) or (vlan and (\(base)))))" : base
        guard let user, !user.isEmpty else { return full }
        return "(\(user)) and (\(full))"
    }
}
