/// ICMP and ICMPv6 types and codes by name (IANA's "ICMP Type Numbers" and "ICMPv6
/// Parameters"), in the words tcpdump and the RFCs use, hyphenated for JSON.
extension ICMPMessage {
    public var typeName: StaticString { isV6 ? Self.v6Type(type) : Self.v4Type(type) }

    /// The code's meaning where the type gives codes one; nil where code 0 is the only one.
    public var codeName: StaticString? { isV6 ? Self.v6Code(type, code) : Self.v4Code(type, code) }

    static func v4Type(_ type: UInt8) -> StaticString {
        switch type {
        case 0: "echo-reply"
        case 3: "destination-unreachable"
        case 4: "source-quench"
        case 5: "redirect"
        case 8: "echo-request"
        case 9: "router-advertisement"
        case 10: "router-solicitation"
        case 11: "time-exceeded"
        case 12: "parameter-problem"
        case 13: "timestamp-request"
        case 14: "timestamp-reply"
        case 15: "information-request"
        case 16: "information-reply"
        case 17: "address-mask-request"
        case 18: "address-mask-reply"
        case 30: "traceroute"
        case 40: "photuris"
        case 42: "extended-echo-request"
        case 43: "extended-echo-reply"
        default: "unassigned"
        }
    }

    static func v4Code(_ type: UInt8, _ code: UInt8) -> StaticString? {
        switch (type, code) {
        case (3, 0): "net-unreachable"
        case (3, 1): "host-unreachable"
        case (3, 2): "protocol-unreachable"
        case (3, 3): "port-unreachable"
        case (3, 4): "fragmentation-needed"
        case (3, 5): "source-route-failed"
        case (3, 6): "destination-network-unknown"
        case (3, 7): "destination-host-unknown"
        case (3, 8): "source-host-isolated"
        case (3, 9): "network-prohibited"
        case (3, 10): "host-prohibited"
        case (3, 11): "network-unreachable-for-tos"
        case (3, 12): "host-unreachable-for-tos"
        case (3, 13): "communication-prohibited"
        case (3, 14): "host-precedence-violation"
        case (3, 15): "precedence-cutoff"
        case (5, 0): "redirect-network"
        case (5, 1): "redirect-host"
        case (5, 2): "redirect-tos-network"
        case (5, 3): "redirect-tos-host"
        case (11, 0): "ttl-exceeded-in-transit"
        case (11, 1): "fragment-reassembly-time-exceeded"
        case (12, 0): "pointer-indicates-error"
        case (12, 1): "missing-required-option"
        case (12, 2): "bad-length"
        default: nil
        }
    }

    static func v6Type(_ type: UInt8) -> StaticString {
        switch type {
        case 1: "destination-unreachable"
        case 2: "packet-too-big"
        case 3: "time-exceeded"
        case 4: "parameter-problem"
        case 128: "echo-request"
        case 129: "echo-reply"
        case 130: "multicast-listener-query"
        case 131: "multicast-listener-report"
        case 132: "multicast-listener-done"
        case 133: "router-solicitation"
        case 134: "router-advertisement"
        case 135: "neighbor-solicitation"
        case 136: "neighbor-advertisement"
        case 137: "redirect"
        case 138: "router-renumbering"
        case 139: "node-information-query"
        case 140: "node-information-response"
        case 141: "inverse-neighbor-solicitation"
        case 142: "inverse-neighbor-advertisement"
        case 143: "multicast-listener-report-v2"
        case 144: "home-agent-discovery-request"
        case 145: "home-agent-discovery-reply"
        case 146: "mobile-prefix-solicitation"
        case 147: "mobile-prefix-advertisement"
        case 148: "certification-path-solicitation"
        case 149: "certification-path-advertisement"
        case 151: "multicast-router-advertisement"
        case 152: "multicast-router-solicitation"
        case 153: "multicast-router-termination"
        case 155: "rpl-control"
        case 160: "extended-echo-request"
        case 161: "extended-echo-reply"
        default: "unassigned"
        }
    }

    static func v6Code(_ type: UInt8, _ code: UInt8) -> StaticString? {
        switch (type, code) {
        case (1, 0): "no-route"
        case (1, 1): "administratively-prohibited"
        case (1, 2): "beyond-scope-of-source"
        case (1, 3): "address-unreachable"
        case (1, 4): "port-unreachable"
        case (1, 5): "source-address-failed-policy"
        case (1, 6): "reject-route"
        case (1, 7): "source-routing-header-error"
        case (3, 0): "hop-limit-exceeded-in-transit"
        case (3, 1): "fragment-reassembly-time-exceeded"
        case (4, 0): "erroneous-header-field"
        case (4, 1): "unrecognized-next-header"
        case (4, 2): "unrecognized-ipv6-option"
        default: nil
        }
    }
}
