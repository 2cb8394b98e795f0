import Addresses
import Rendering

/// One JSON object per frame (JSON Lines). Keys: `time`, `interface`, `protocol`, then the
/// protocol's fields, then `findings` and `malformed` (null or the reason).
public enum PacketJSON {
    public static func append(_ frame: DecodedFrame, time: Timestamp, interface: String?,
                              clock: inout TimestampFormatter, to out: inout JSONLine) {
        out.beginObject()
        out.record("packet")
        out.key("time")
        clock.withRFC3339(time) { out.unescapedString($0) }
        out.key("interface")
        out.optionalString(interface)
        switch frame.content {
        case .arp(let packet): arp(packet, frame: frame, to: &out)
        case .ndp(let packet): ndp(packet, frame: frame, to: &out)
        case .ipv6(let ip):
            out.key("protocol")
            out.string("ipv6")
            out.key("src_mac")
            out.optionalString(frame.link.source)
            out.key("src_ip")
            out.string(ip.source)
            out.key("dst_ip")
            out.string(ip.destination)
            out.key("next_header")
            out.int(ip.upperLayer)
        case .other(let etherType):
            out.key("protocol")
            out.string("other")
            out.key("ethertype")
            out.int(etherType)
        case .none:
            out.key("protocol")
            out.null()
        }
        if !frame.link.vlanIDs.isEmpty {
            out.key("vlan")
            out.beginArray()
            for vlan in frame.link.vlanIDs { out.int(vlan) }
            out.endArray()
        }
        out.key("length")
        out.int(frame.originalLength)
        out.key("findings")
        out.beginArray()
        for finding in frame.findings {
            out.beginObject()
            out.key("code")
            out.string(finding.code)
            out.key("message")
            out.string(finding.description)
            out.endObject()
        }
        out.endArray()
        out.key("malformed")
        out.optionalString(frame.malformedReason)
        out.endObject()
        out.endLine()
    }

    static func arp(_ packet: ARPPacket, frame: DecodedFrame, to out: inout JSONLine) {
        out.key("protocol")
        out.string((packet.operation.isRARP || packet.viaRARPEtherType ? "rarp" : "arp") as StaticString)
        out.key("op")
        if let name = packet.operation.knownName { out.string(name) } else { out.string(packet.operation.name) }
        out.key("label")
        if let label = packet.knownLabel { out.string(label) } else { out.string(packet.label) }
        out.key("src_mac")
        out.optionalString(frame.link.source)
        out.key("sender_mac")
        out.optionalString(packet.senderHardware)
        out.key("sender_ip")
        out.optionalString(packet.senderProtocol)
        out.key("target_mac")
        out.optionalString(packet.targetHardware)
        out.key("target_ip")
        out.optionalString(packet.targetProtocol)
        out.key("gratuitous")
        out.bool(packet.isGratuitous)
        out.key("probe")
        out.bool(packet.isProbe)
        if !packet.isEthernetIPv4 {
            out.key("hardware_type")
            out.int(packet.hardwareType)
            out.key("protocol_type")
            out.int(packet.protocolType)
        }
    }

    static func ndp(_ packet: NDPPacket, frame: DecodedFrame, to out: inout JSONLine) {
        out.key("protocol")
        out.string("ndp")
        out.key("type")
        out.string(packet.kind.name)
        out.key("src_mac")
        out.optionalString(frame.link.source)
        out.key("src_ip")
        out.string(packet.ip.source)
        out.key("dst_ip")
        out.string(packet.ip.destination)
        out.key("hop_limit")
        out.int(packet.ip.hopLimit)
        out.key("target")
        out.optionalString(packet.message?.target)
        out.key("flags")
        out.beginArray()
        switch packet.message {
        case .neighborAdvertisement(_, let flags)?:
            if flags.contains(.router) { out.string("router") }
            if flags.contains(.solicited) { out.string("solicited") }
            if flags.contains(.override) { out.string("override") }
        case .routerAdvertisement(let ra)?:
            for name in RouterAdvertisementFlagsText.names(ra) { out.string(name) }
        default:
            break
        }
        out.endArray()
        switch packet.message {
        case .routerAdvertisement(let ra)?:
            out.key("cur_hop_limit")
            out.int(ra.currentHopLimit)
            out.key("router_lifetime")
            out.int(ra.routerLifetime)
            out.key("reachable_time")
            out.int(ra.reachableTime)
            out.key("retrans_timer")
            out.int(ra.retransTimer)
            out.key("preference")
            out.string(ra.preference.name)
        case .redirect(_, let destination)?:
            out.key("destination")
            out.string(destination)
        default:
            break
        }
        out.key("dad")
        out.bool(packet.isDAD)
        out.key("unsolicited")
        out.bool(packet.isUnsolicitedNA)
        out.key("router_leaving")
        out.bool(packet.isRouterLeaving)
        out.key("checksum")
        switch packet.checksumStatus {
        case .valid: out.string("valid")
        case .invalid: out.string("invalid")
        case .unverified: out.string("unverified")
        }
        out.key("options")
        out.beginArray()
        for option in packet.options { self.option(option, to: &out) }
        out.endArray()
    }

    static func option(_ option: NDPOption, to out: inout JSONLine) {
        out.beginObject()
        out.key("type")
        out.string(option.name)
        out.key("code")
        out.int(option.typeCode)
        switch option {
        case .sourceLinkLayerAddress(let address), .targetLinkLayerAddress(let address):
            out.key("mac")
            out.optionalString(address)
        case .prefixInformation(let prefix):
            out.key("prefix")
            out.string(prefix: prefix.prefix, length: prefix.prefixLength)
            out.key("on_link")
            out.bool(prefix.onLink)
            out.key("autonomous")
            out.bool(prefix.autonomous)
            out.key("valid_lifetime")
            out.int(prefix.validLifetime)
            out.key("preferred_lifetime")
            out.int(prefix.preferredLifetime)
        case .redirectedHeader(let inner):
            out.key("length")
            out.int(inner.length)
            out.key("src_ip")
            out.optionalString(inner.source)
            out.key("dst_ip")
            out.optionalString(inner.destination)
            out.key("next_header")
            if let next = inner.nextHeader { out.int(next) } else { out.null() }
            if let sourcePort = inner.sourcePort, let destinationPort = inner.destinationPort {
                out.key("src_port")
                out.int(sourcePort)
                out.key("dst_port")
                out.int(destinationPort)
            }
        case .mtu(let mtu):
            out.key("mtu")
            out.int(mtu)
        case .advertisementInterval(let interval):
            out.key("interval_ms")
            out.int(interval)
        case .nonce(let bytes):
            out.key("nonce")
            out.string(Hexdump.hexString(bytes))
        case .routeInformation(let route):
            out.key("prefix")
            out.string(prefix: route.prefix, length: route.prefixLength)
            out.key("preference")
            out.string(route.preference.name)
            out.key("lifetime")
            out.int(route.lifetime)
        case .recursiveDNSServers(let lifetime, let servers):
            out.key("lifetime")
            out.int(lifetime)
            out.key("servers")
            out.beginArray()
            for server in servers { out.string(server) }
            out.endArray()
        case .dnsSearchList(let lifetime, let domains):
            out.key("lifetime")
            out.int(lifetime)
            out.key("domains")
            out.beginArray()
            for domain in domains { out.string(domain) }
            out.endArray()
        case .captivePortal(let uri):
            out.key("uri")
            out.string(uri)
        case .pref64(let pref64):
            out.key("prefix")
            out.string(prefix: pref64.prefix, length: pref64.prefixLength)
            out.key("lifetime")
            out.int(pref64.lifetime)
        case .unknown(_, let length, let data):
            out.key("length")
            out.int(length)
            out.key("data")
            out.string(Hexdump.hexString(data))
        }
        out.endObject()
    }
}
