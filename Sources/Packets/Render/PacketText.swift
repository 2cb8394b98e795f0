import Addresses
import Rendering

/// One line per frame, like tcpdump's, with the labels tcpdump leaves out (probe,
/// announcement, DAD, unsolicited, router leaving) and any findings. `verbose` adds an
/// indented line for every header and option field.
public enum PacketText {
    /// `tcp` is what a connection tracker says of a TCP segment (relative numbers, analysis marks);
    /// `service` names a UDP datagram's well-known port.
    public static func append(_ frame: DecodedFrame, time: Timestamp, interface: String?, verbose: Bool,
                              tcp: TCPAnnotation? = nil, service: String? = nil, clock: inout TimestampFormatter, to out: inout JSONLine) {
        clock.withLocal(time) { out.text(bytes: $0) }
        if let interface {
            out.textByte(UInt8(ascii: " "))
            out.text(interface)
        }
        if let direction = frame.link.direction {
            out.textByte(UInt8(ascii: " "))
            out.literal(direction.label)
        }
        for vlan in frame.link.vlanIDs {
            out.literal(" vlan ")
            out.textInt(vlan)
        }
        out.textByte(UInt8(ascii: " "))
        switch frame.content {
        case .arp(let packet): arpLine(packet, to: &out)
        case .ndp(let packet): ndpLine(packet, to: &out)
        case .ip(let packet): IPText.line(packet, tcp: tcp, service: service, to: &out)
        case .other(let etherType):
            out.literal("ethertype 0x")
            out.text(String(etherType, radix: 16).leftPadded(to: 4))
        case .none:
            out.literal("frame")
        }
        // IP lines end with the transport's own length, as tcpdump's do; the others with the frame's.
        if frame.ip == nil {
            out.literal(", length ")
            out.textInt(frame.originalLength)
        }
        for finding in frame.findings {
            out.literal(" !! ")
            out.text(finding.description)
        }
        if let reason = frame.malformedReason {
            out.literal(" [malformed: ")
            out.text(reason)
            out.textByte(UInt8(ascii: "]"))
        }
        out.textByte(UInt8(ascii: "\n"))
        if verbose { PacketDetails.append(frame, to: &out) }
    }

    static func arpLine(_ packet: ARPPacket, to out: inout JSONLine) {
        out.literal(packet.operation.isRARP || packet.viaRARPEtherType ? "RARP " : "ARP ")
        if let label = packet.knownLabel { out.literal(label) } else { out.text(packet.label) }
        guard let sender = packet.senderHardware, let senderIP = packet.senderProtocol,
              let target = packet.targetHardware, let targetIP = packet.targetProtocol else { return }
        if packet.isGratuitous {
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.literal(" is-at ")
            out.text(sender)
            return
        }
        switch packet.operation {
        case .request, .inARPRequest:
            out.literal(" who-has ")
            out.text(targetIP)
            out.literal(" tell ")
            out.text(senderIP)
            out.literal(" (")
            out.text(sender)
            out.textByte(UInt8(ascii: ")"))
        case .reply, .inARPReply, .rarpReply, .drarpReply:
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.literal(" is-at ")
            out.text(sender)
            out.literal(" (to ")
            out.text(targetIP)
            out.textByte(UInt8(ascii: " "))
            out.text(target)
            out.textByte(UInt8(ascii: ")"))
        case .rarpRequest, .drarpRequest:
            out.literal(" who-is ")
            out.text(target)
            out.literal(" tell ")
            out.text(sender)
        default:
            out.literal(" sender ")
            out.text(sender)
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.literal(" target ")
            out.text(target)
            out.textByte(UInt8(ascii: " "))
            out.text(targetIP)
        }
    }

    static func ndpLine(_ packet: NDPPacket, to out: inout JSONLine) {
        out.literal("NDP ")
        out.literal(packet.kind.abbreviation)
        switch packet.message {
        case .neighborSolicitation(let target)?:
            if packet.isDAD {
                out.literal(" DAD for ")
                out.text(target)
            } else {
                out.literal(" who-has ")
                out.text(target)
            }
        case .neighborAdvertisement(let target, let flags)?:
            if packet.isUnsolicitedNA { out.literal(" unsolicited") }
            out.textByte(UInt8(ascii: " "))
            out.text(target)
            if let mac = packet.targetLinkLayerAddress {
                out.literal(" is-at ")
                out.text(mac)
            }
            appendFlags(flags, to: &out)
        case .routerAdvertisement?:
            if packet.isRouterLeaving { out.literal(" router leaving") }
        case .redirect(let target, let destination)?:
            out.literal(" to ")
            out.text(target)
            out.literal(" for ")
            out.text(destination)
        case .routerSolicitation?, nil:
            break
        }
        out.literal(" from ")
        out.text(packet.ip.source)
        if let mac = packet.sourceLinkLayerAddress {
            out.literal(" (")
            out.text(mac)
            out.textByte(UInt8(ascii: ")"))
        }
        out.literal(" to ")
        out.text(packet.ip.destination)
        if case .routerAdvertisement(let ra)? = packet.message { routerAdvertisementSummary(ra, packet.options, to: &out) }
    }

    static func appendFlags(_ flags: NeighborAdvertisementFlags, to out: inout JSONLine) {
        out.literal(" [")
        var first = true
        for (flag, letter) in [(NeighborAdvertisementFlags.router, UInt8(ascii: "R")), (.solicited, UInt8(ascii: "S")),
                               (.override, UInt8(ascii: "O"))] where flags.contains(flag) {
            if !first { out.textByte(UInt8(ascii: " ")) }
            out.textByte(letter)
            first = false
        }
        out.textByte(UInt8(ascii: "]"))
    }

    /// ` [M O]`-style flag letters; nothing when no flag is set.
    static func appendLetters(_ flags: [(Bool, StaticString)], to out: inout JSONLine) {
        var first = true
        for (set, letter) in flags where set {
            out.literal(first ? " [" : " ")
            out.literal(letter)
            first = false
        }
        if !first { out.textByte(UInt8(ascii: "]")) }
    }

    static func routerAdvertisementSummary(_ ra: RouterAdvertisement, _ options: [NDPOption], to out: inout JSONLine) {
        out.literal(", lifetime ")
        out.textInt(ra.routerLifetime)
        out.literal("s, hop limit ")
        out.textInt(ra.currentHopLimit)
        out.literal(", prf ")
        out.literal(ra.preference.name)
        appendLetters([(ra.managed, "M"), (ra.otherConfiguration, "O"), (ra.homeAgent, "H"), (ra.proxy, "P")], to: &out)
        for option in options {
            switch option {
            case .prefixInformation(let prefix):
                out.literal(", prefix ")
                out.text(prefix: prefix.prefix, length: prefix.prefixLength)
                appendLetters([(prefix.onLink, "L"), (prefix.autonomous, "A"), (prefix.routerAddress, "R"),
                               (prefix.delegationPreferred, "P")], to: &out)
            case .mtu(let mtu):
                out.literal(", mtu ")
                out.textInt(mtu)
            case .recursiveDNSServers(_, let servers):
                out.literal(", rdnss")
                for server in servers {
                    out.textByte(UInt8(ascii: " "))
                    out.text(server)
                }
            case .dnsSearchList(_, let domains):
                out.literal(", dnssl ")
                out.text(TerminalText.escape(domains.joined(separator: " ")))
            case .routeInformation(let route):
                out.literal(", route ")
                out.text(prefix: route.prefix, length: route.prefixLength)
            case .pref64(let pref64):
                out.literal(", pref64 ")
                out.text(prefix: pref64.prefix, length: pref64.prefixLength)
            case .captivePortal(let uri):
                out.literal(", captive portal ")
                out.text(TerminalText.escape(uri))
            default:
                break
            }
        }
    }
}

/// Flag names for `-v` and JSON.
enum RouterAdvertisementFlagsText {
    static func names(_ ra: RouterAdvertisement) -> [String] {
        [(ra.managed, "managed"), (ra.otherConfiguration, "other"), (ra.homeAgent, "home-agent"), (ra.proxy, "proxy")]
            .filter(\.0).map(\.1)
    }
}

enum PrefixFlagsText {
    static func names(_ prefix: PrefixInformation) -> [String] {
        [(prefix.onLink, "on-link"), (prefix.autonomous, "autonomous"), (prefix.routerAddress, "router-address"),
         (prefix.delegationPreferred, "dhcpv6-pd-preferred")].filter(\.0).map(\.1)
    }
}
