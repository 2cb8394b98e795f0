/// nettool's fixed vocabulary for "what kind of address is this", most specific wins.
public enum AddressScope: String, Sendable, CaseIterable {
    case unspecified
    case thisNetwork = "this-network"
    case loopback
    case `private`
    case shared
    case linkLocal = "link-local"
    case siteLocal = "site-local"
    case multicast
    case broadcast
    case documentation
    case benchmarking
    case ipv4Mapped = "ipv4-mapped"
    case ipv4Translated = "ipv4-translated"
    case teredo
    case sixToFour = "6to4"
    case discard
    case protocolAssignment = "protocol-assignment"
    case reserved
    case `public`
    /// A prefix wider than, and holding, special-purpose blocks: no one scope fits all of it.
    case mixed

    /// One sentence for learners.
    public var explanation: String {
        switch self {
        case .unspecified: return "\"no address yet\"; binding to it means every local address"
        case .thisNetwork: return "valid only as a source, while a host learns its own address"
        case .loopback: return "packets never leave this host"
        case .private: return "reusable inside any organisation, never routed on the public Internet"
        case .shared: return "carrier-grade NAT space between an ISP and its customers"
        case .linkLocal: return "valid on one link only; routers never forward it"
        case .siteLocal: return "deprecated by RFC 3879; treat as reserved"
        case .multicast: return "one packet, delivered to every member of a group"
        case .broadcast: return "every host on this link, never forwarded"
        case .documentation: return "for examples in books and RFCs, never on a real network"
        case .benchmarking: return "for lab tests of network devices (RFC 2544, RFC 5180)"
        case .ipv4Mapped: return "how a dual-stack IPv6 socket shows an IPv4 peer"
        case .ipv4Translated: return "NAT64: an IPv4 host reached from IPv6"
        case .teredo: return "IPv6 tunnelled over UDP/IPv4 through NATs"
        case .sixToFour: return "IPv6 tunnelled over IPv4, the IPv4 address embedded in the prefix"
        case .discard: return "traffic to it is dropped on purpose (remote-triggered black hole)"
        case .protocolAssignment: return "set aside by the IETF for a specific protocol's use"
        case .reserved: return "not in use; hosts should not send to it"
        case .public: return "ordinary unicast space, routable on the Internet"
        case .mixed: return "a prefix holding special-purpose blocks of its own kinds: classify a narrower prefix or an address"
        }
    }
}
