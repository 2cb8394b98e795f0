import Addresses
import Rendering

/// One line per frame, like tcpdump's, with the labels tcpdump leaves out (probe,
/// announcement, DAD, unsolicited, router leaving) and any findings. `verbose` adds an
/// indented line for every header and option field.
public enum PacketText {
    public static func append(_ frame: DecodedFrame, time: Timestamp, interface: String?, verbose: Bool,
                              clock: inout TimestampFormatter, to out: inout JSONLine) {
        clock.withLocal(time) { out.text(bytes: $0) }
        if let interface {
            out.textByte(UInt8(ascii: " "))
            out.text(interface)
        }
        if let direction = frame.link.direction {
            out.textByte(UInt8(ascii: " "))
            out.text(direction.label)
        }
        for vlan in frame.link.vlanIDs {
            out.text(" vlan ")
            out.textInt(vlan)
        }
        out.textByte(UInt8(ascii: " "))
        switch frame.content {
        case .arp(let packet): arpLine(packet, to: &out)
        case .ndp(let packet): ndpLine(packet, to: &out)
        case .ipv6(let ip):
            out.text("IP6 ")
            out.text(ip.source)
            out.text(" > ")
            out.text(ip.destination)
            out.text(" next-header ")
            out.textInt(ip.upperLayer)
        case .other(let etherType):
            out.text("ethertype 0x")
            out.text(String(etherType, radix: 16).leftPadded(to: 4))
        case .none:
            out.text("frame")
        }
        out.text(", length ")
        out.textInt(frame.originalLength)
        for finding in frame.findings {
            out.text(" !! ")
            out.text(finding.description)
        }
        if let reason = frame.malformedReason {
            out.text(" [malformed: ")
            out.text(reason)
            out.textByte(UInt8(ascii: "]"))
        }
        out.textByte(UInt8(ascii: "\n"))
        if verbose { PacketDetails.append(frame, to: &out) }
    }

    static func arpLine(_ packet: ARPPacket, to out: inout JSONLine) {
        out.text(packet.operation.isRARP || packet.viaRARPEtherType ? "RARP " : "ARP ")
        out.text(packet.label)
        guard let sender = packet.senderHardware, let senderIP = packet.senderProtocol,
              let target = packet.targetHardware, let targetIP = packet.targetProtocol else { return }
        if packet.isGratuitous {
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.text(" is-at ")
            out.text(sender)
            return
        }
        switch packet.operation {
        case .request, .inARPRequest:
            out.text(" who-has ")
            out.text(targetIP)
            out.text(" tell ")
            out.text(senderIP)
            out.text(" (")
            out.text(sender)
            out.textByte(UInt8(ascii: ")"))
        case .reply, .inARPReply, .rarpReply, .drarpReply:
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.text(" is-at ")
            out.text(sender)
            out.text(" (to ")
            out.text(targetIP)
            out.textByte(UInt8(ascii: " "))
            out.text(target)
            out.textByte(UInt8(ascii: ")"))
        case .rarpRequest, .drarpRequest:
            out.text(" who-is ")
            out.text(target)
            out.text(" tell ")
            out.text(sender)
        default:
            out.text(" sender ")
            out.text(sender)
            out.textByte(UInt8(ascii: " "))
            out.text(senderIP)
            out.text(" target ")
            out.text(target)
            out.textByte(UInt8(ascii: " "))
            out.text(targetIP)
        }
    }

    static func ndpLine(_ packet: NDPPacket, to out: inout JSONLine) {
        out.text("NDP ")
        out.text(packet.kind.abbreviation)
        switch packet.message {
        case .neighborSolicitation(let target)?:
            if packet.isDAD {
                out.text(" DAD for ")
                out.text(target)
            } else {
                out.text(" who-has ")
                out.text(target)
            }
        case .neighborAdvertisement(let target, let flags)?:
            if packet.isUnsolicitedNA { out.text(" unsolicited") }
            out.textByte(UInt8(ascii: " "))
            out.text(target)
            if let mac = packet.targetLinkLayerAddress {
                out.text(" is-at ")
                out.text(mac)
            }
            appendFlags(flags, to: &out)
        case .routerAdvertisement?:
            if packet.isRouterLeaving { out.text(" router leaving") }
        case .redirect(let target, let destination)?:
            out.text(" to ")
            out.text(target)
            out.text(" for ")
            out.text(destination)
        case .routerSolicitation?, nil:
            break
        }
        out.text(" from ")
        out.text(packet.ip.source)
        if let mac = packet.sourceLinkLayerAddress {
            out.text(" (")
            out.text(mac)
            out.textByte(UInt8(ascii: ")"))
        }
        out.text(" to ")
        out.text(packet.ip.destination)
        if case .routerAdvertisement(let ra)? = packet.message { routerAdvertisementSummary(ra, packet.options, to: &out) }
    }

    static func appendFlags(_ flags: NeighborAdvertisementFlags, to out: inout JSONLine) {
        out.text(" [")
        var first = true
        for (flag, letter) in [(NeighborAdvertisementFlags.router, "R"), (.solicited, "S"), (.override, "O")] where flags.contains(flag) {
            if !first { out.textByte(UInt8(ascii: " ")) }
            out.text(letter)
            first = false
        }
        out.textByte(UInt8(ascii: "]"))
    }

    static func routerAdvertisementSummary(_ ra: RouterAdvertisement, _ options: [NDPOption], to out: inout JSONLine) {
        out.text(", lifetime ")
        out.textInt(ra.routerLifetime)
        out.text("s, hop limit ")
        out.textInt(ra.currentHopLimit)
        out.text(", prf ")
        out.text(ra.preference.name)
        out.text(RouterAdvertisementFlagsText.letters(ra))
        for option in options {
            switch option {
            case .prefixInformation(let prefix):
                out.text(", prefix ")
                out.text(prefix.prefix)
                out.textByte(UInt8(ascii: "/"))
                out.textInt(prefix.prefixLength)
                out.text(PrefixFlagsText.letters(prefix))
            case .mtu(let mtu):
                out.text(", mtu ")
                out.textInt(mtu)
            case .recursiveDNSServers(_, let servers):
                out.text(", rdnss")
                for server in servers {
                    out.textByte(UInt8(ascii: " "))
                    out.text(server)
                }
            case .dnsSearchList(_, let domains):
                out.text(", dnssl ")
                out.text(domains.joined(separator: " "))
            case .routeInformation(let route):
                out.text(", route ")
                out.text(route.prefix)
                out.textByte(UInt8(ascii: "/"))
                out.textInt(route.prefixLength)
            case .pref64(let pref64):
                out.text(", pref64 ")
                out.text(pref64.prefix)
                out.textByte(UInt8(ascii: "/"))
                out.textInt(pref64.prefixLength)
            case .captivePortal(let uri):
                out.text(", captive portal ")
                out.text(uri)
            default:
                break
            }
        }
    }
}

/// Flag letters as ` [M O]`, empty when none is set.
enum RouterAdvertisementFlagsText {
    static func letters(_ ra: RouterAdvertisement) -> String {
        let names = [(ra.managed, "M"), (ra.otherConfiguration, "O"), (ra.homeAgent, "H"), (ra.proxy, "P")]
            .filter(\.0).map(\.1)
        return names.isEmpty ? "" : " [" + names.joined(separator: " ") + "]"
    }

    static func names(_ ra: RouterAdvertisement) -> [String] {
        [(ra.managed, "managed"), (ra.otherConfiguration, "other"), (ra.homeAgent, "home-agent"), (ra.proxy, "proxy")]
            .filter(\.0).map(\.1)
    }
}

enum PrefixFlagsText {
    static func letters(_ prefix: PrefixInformation) -> String {
        let names = [(prefix.onLink, "L"), (prefix.autonomous, "A"), (prefix.routerAddress, "R"), (prefix.delegationPreferred, "P")]
            .filter(\.0).map(\.1)
        return names.isEmpty ? "" : " [" + names.joined(separator: " ") + "]"
    }

    static func names(_ prefix: PrefixInformation) -> [String] {
        [(prefix.onLink, "on-link"), (prefix.autonomous, "autonomous"), (prefix.routerAddress, "router-address"),
         (prefix.delegationPreferred, "dhcpv6-pd-preferred")].filter(\.0).map(\.1)
    }
}
