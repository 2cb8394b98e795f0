import Addresses
import Rendering

/// The `-v` lines: every header field and option, indented under the packet's line.
enum PacketDetails {
    static func append(_ frame: DecodedFrame, to out: inout JSONLine) {
        var lines: [String] = []
        let link = frame.link
        var linkLine = "  link"
        if let source = link.source { linkLine += " \(source)" }
        if let destination = link.destination { linkLine += " > \(destination)" }
        if let index = link.interfaceIndex { linkLine += ", ifindex \(index)" }
        if !link.vlanIDs.isEmpty { linkLine += ", vlan " + link.vlanIDs.map(String.init).joined(separator: " > ") }
        linkLine += ", ethertype 0x" + String(link.etherType, radix: 16).leftPadded(to: 4)
        linkLine += ", captured \(frame.capturedLength) of \(frame.originalLength) bytes"
        lines.append(linkLine)
        switch frame.content {
        case .arp(let packet): lines += arp(packet)
        case .ndp(let packet): lines += ndp(packet)
        case .ip(let packet): lines += IPDetails.lines(packet)
        case .other, .none: break
        }
        for line in lines {
            out.text(line)
            out.textByte(UInt8(ascii: "\n"))
        }
    }

    static func arp(_ packet: ARPPacket) -> [String] {
        let hardware = packet.hardwareType == 1 ? "1 (Ethernet)" : String(packet.hardwareType)
        let proto = "0x" + String(packet.protocolType, radix: 16).leftPadded(to: 4) + (packet.protocolType == EtherType.ipv4 ? " (IPv4)" : "")
        var lines = ["  arp hardware \(hardware) length \(packet.hardwareLength), protocol \(proto) length \(packet.protocolLength), op \(packet.operation.name)"]
        lines.append("  sender \(packet.senderHardware?.description ?? "-") \(packet.senderProtocol?.description ?? "-")")
        lines.append("  target \(packet.targetHardware?.description ?? "-") \(packet.targetProtocol?.description ?? "-")")
        return lines
    }

    static func ipv6(_ ip: IPv6Header) -> String {
        "  ipv6 \(ip.source) > \(ip.destination), hop limit \(ip.hopLimit), payload \(ip.payloadLength), next header \(ip.upperLayer)"
    }

    static func ndp(_ packet: NDPPacket) -> [String] {
        var lines = [ipv6(packet.ip)]
        let checksum: String
        switch packet.checksumStatus {
        case .valid: checksum = "valid"
        case .invalid(let expected): checksum = "BAD, expected 0x" + String(expected, radix: 16).leftPadded(to: 4)
        case .unverified: checksum = "not verified, message not captured whole"
        }
        lines.append("  icmp6 type \(packet.kind.rawValue) (\(packet.kind.name)) code \(packet.code) checksum 0x\(String(packet.checksum, radix: 16).leftPadded(to: 4)) (\(checksum))")
        switch packet.message {
        case .routerAdvertisement(let ra)?:
            let flags = RouterAdvertisementFlagsText.names(ra)
            lines.append("  ra hop limit \(ra.currentHopLimit), flags 0x\(String(ra.flags, radix: 16).leftPadded(to: 2)) [\(flags.joined(separator: " "))], preference \(ra.preference.name), router lifetime \(ra.routerLifetime)s, reachable time \(ra.reachableTime)ms, retrans timer \(ra.retransTimer)ms")
        case .neighborSolicitation(let target)?:
            lines.append("  target \(target)")
        case .neighborAdvertisement(let target, let flags)?:
            lines.append("  target \(target), flags router=\(flags.contains(.router)) solicited=\(flags.contains(.solicited)) override=\(flags.contains(.override))")
        case .redirect(let target, let destination)?:
            lines.append("  target (better first hop) \(target), destination \(destination)")
        case .routerSolicitation?, nil:
            break
        }
        for option in packet.options { lines.append("  option \(option.name) (\(option.typeCode)): \(detail(option))") }
        return lines
    }

    static func detail(_ option: NDPOption) -> String {
        switch option {
        case .sourceLinkLayerAddress(let address), .targetLinkLayerAddress(let address):
            return address.description
        case .prefixInformation(let prefix):
            return "\(prefixText(prefix.prefix, prefix.prefixLength)), flags [\(PrefixFlagsText.names(prefix).joined(separator: " "))], valid \(lifetime(prefix.validLifetime)), preferred \(lifetime(prefix.preferredLifetime))"
        case .redirectedHeader(let inner):
            var text = "\(inner.length) bytes of the original packet"
            if let source = inner.source, let destination = inner.destination { text += ": \(source) > \(destination)" }
            if let next = inner.nextHeader { text += ", next header \(next)" }
            if let sourcePort = inner.sourcePort, let destinationPort = inner.destinationPort { text += ", ports \(sourcePort) > \(destinationPort)" }
            if let type = inner.icmpType { text += ", icmp6 type \(type)" }
            return text
        case .mtu(let mtu):
            return String(mtu)
        case .advertisementInterval(let interval):
            return "\(interval)ms"
        case .nonce(let bytes):
            return "0x" + Hexdump.hexString(bytes)
        case .routeInformation(let route):
            return "\(prefixText(route.prefix, route.prefixLength)), preference \(route.preference.name), lifetime \(lifetime(route.lifetime))"
        case .recursiveDNSServers(let time, let servers):
            return "lifetime \(lifetime(time)), " + servers.map(\.description).joined(separator: " ")
        case .dnsSearchList(let time, let domains):
            return "lifetime \(lifetime(time)), " + TerminalText.escape(domains.joined(separator: " "))
        case .captivePortal(let uri):
            return TerminalText.escape(uri)
        case .pref64(let pref64):
            return "\(prefixText(pref64.prefix, pref64.prefixLength)), lifetime \(pref64.lifetime)s"
        case .unknown(_, let length, let data):
            return "length \(length), 0x" + Hexdump.hexString(data)
        }
    }

    static func lifetime(_ seconds: UInt32) -> String {
        seconds == .max ? "infinity" : "\(seconds)s"
    }
}
