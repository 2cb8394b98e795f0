import Packets

/// The BPF expressions `capture` hands to libpcap.
public enum CaptureFilter {
    /// What to capture; empty means "what the user's filter matches", or everything.
    public struct Protocols: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let arp = Protocols(rawValue: 1 << 0)
        public static let ndp = Protocols(rawValue: 1 << 1)
        public static let tcp = Protocols(rawValue: 1 << 2)
        public static let udp = Protocols(rawValue: 1 << 3)
        /// ICMP and ICMPv6, Neighbor Discovery included.
        public static let icmp = Protocols(rawValue: 1 << 4)
        /// Every IPv4 and IPv6 packet.
        public static let ip = Protocols(rawValue: 1 << 5)
        /// The default with no selector and no filter.
        public static let arpAndNDP: Protocols = [.arp, .ndp]
    }

    /// The selected protocols, or together. On Ethernet the same again inside one and two VLAN
    /// tags: `vlan` shifts every later offset, so the untagged test must come first. A user's
    /// expression goes in front, where offsets are still those of an untagged frame.
    public static func expression(_ protocols: Protocols, linkType: LinkType, user: String?) -> String {
        let user = user.flatMap { $0.isEmpty ? nil : $0 }
        guard !protocols.isEmpty else { return user ?? "" }
        let parts: [(Protocols, String)] = [
            (.arp, "arp or rarp"), (.ndp, "(icmp6 and ip6[40] >= 133 and ip6[40] <= 137)"), (.tcp, "tcp"), (.udp, "udp"),
            (.icmp, "icmp or icmp6"), (.ip, "ip or ip6"),
        ]
        let base = parts.filter { protocols.contains($0.0) }.map(\.1).joined(separator: " or ")
        let full = linkType == .ethernet ? "\(base) or (vlan and (\(base) or (vlan and (\(base)))))" : base
        guard let user else { return full }
        return "(\(user)) and (\(full))"
    }
}
