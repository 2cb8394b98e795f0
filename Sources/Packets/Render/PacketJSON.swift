import Addresses
import Rendering

/// One JSON object per frame (JSON Lines). Keys: `time`, `interface`, `protocol`, then the
/// protocol's fields, then `findings` and `malformed` (null or the reason).
public enum PacketJSON {
    /// `tcp` is what a connection tracker says of a TCP segment (relative numbers, analysis marks).
    /// `record` names the event (`wire` for a command's own packets); `extra` adds fields after it.
    public static func append(_ frame: DecodedFrame, time: Timestamp, interface: String?, tcp: TCPAnnotation? = nil,
                              service: String? = nil, clock: inout TimestampFormatter, record: StaticString = "packet",
                              extra: (inout JSONLine) -> Void = { _ in }, to out: inout JSONLine) {
        out.beginObject()
        out.record(record)
        extra(&out)
        out.key("time")
        clock.withRFC3339(time) { out.unescapedString($0) }
        out.field("interface", interface)
        switch frame.content {
        case .arp(let packet): arp(packet, frame: frame, to: &out)
        case .ndp(let packet): ndp(packet, frame: frame, to: &out)
        case .ip(let packet):
            IPJSON.fields(packet, frame: frame, tcp: tcp, service: service, to: &out)
        case .other(let etherType):
            out.field("protocol", "other")
            out.field("ethertype", etherType)
        case .none:
            out.key("protocol")
            out.null()
        }
        if !frame.link.vlanIDs.isEmpty {
            out.array("vlan", frame.link.vlanIDs) { out, vlan in out.int(vlan) }
        }
        out.field("length", frame.originalLength)
        out.objects("findings", frame.findings) { out, finding in
            out.field("code", finding.code)
            out.field("message", finding.description)
        }
        out.field("malformed", frame.malformedReason)
        out.endObject()
        out.endLine()
    }

    static func arp(_ packet: ARPPacket, frame: DecodedFrame, to out: inout JSONLine) {
        out.field("protocol", (packet.operation.isRARP || packet.viaRARPEtherType ? "rarp" : "arp") as StaticString)
        out.key("op")
        if let name = packet.operation.knownName { out.string(name) } else { out.string(packet.operation.name) }
        out.key("label")
        if let label = packet.knownLabel { out.string(label) } else { out.string(packet.label) }
        out.field("src_mac", frame.link.source)
        out.field("sender_mac", packet.senderHardware)
        out.field("sender_ip", packet.senderProtocol)
        out.field("target_mac", packet.targetHardware)
        out.field("target_ip", packet.targetProtocol)
        out.field("gratuitous", packet.isGratuitous)
        out.field("probe", packet.isProbe)
        if !packet.isEthernetIPv4 {
            out.field("hardware_type", packet.hardwareType)
            out.field("protocol_type", packet.protocolType)
        }
    }

    static func ndp(_ packet: NDPPacket, frame: DecodedFrame, to out: inout JSONLine) {
        out.field("protocol", "ndp")
        out.field("type", packet.kind.name)
        out.field("src_mac", frame.link.source)
        out.field("src_ip", packet.ip.source)
        out.field("dst_ip", packet.ip.destination)
        out.field("hop_limit", packet.ip.hopLimit)
        out.field("target", packet.message?.target)
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
            out.field("cur_hop_limit", ra.currentHopLimit)
            out.field("router_lifetime", ra.routerLifetime)
            out.field("reachable_time", ra.reachableTime)
            out.field("retrans_timer", ra.retransTimer)
            out.field("preference", ra.preference.name)
        case .redirect(_, let destination)?:
            out.field("destination", destination)
        default:
            break
        }
        out.field("dad", packet.isDAD)
        out.field("unsolicited", packet.isUnsolicitedNA)
        out.field("router_leaving", packet.isRouterLeaving)
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
        out.field("type", option.name)
        out.field("code", option.typeCode)
        switch option {
        case .sourceLinkLayerAddress(let address), .targetLinkLayerAddress(let address):
            out.field("mac", address)
        case .prefixInformation(let prefix):
            out.field("prefix", prefix: prefix.prefix, length: prefix.prefixLength)
            out.field("on_link", prefix.onLink)
            out.field("autonomous", prefix.autonomous)
            out.field("valid_lifetime", prefix.validLifetime)
            out.field("preferred_lifetime", prefix.preferredLifetime)
        case .redirectedHeader(let inner):
            out.field("length", inner.length)
            out.field("src_ip", inner.source)
            out.field("dst_ip", inner.destination)
            out.key("next_header")
            if let next = inner.nextHeader { out.int(next) } else { out.null() }
            if let sourcePort = inner.sourcePort, let destinationPort = inner.destinationPort {
                out.field("src_port", sourcePort)
                out.field("dst_port", destinationPort)
            }
        case .mtu(let mtu):
            out.field("mtu", mtu)
        case .advertisementInterval(let interval):
            out.field("interval_ms", interval)
        case .nonce(let bytes):
            out.field("nonce", Hexdump.hexString(bytes))
        case .routeInformation(let route):
            out.field("prefix", prefix: route.prefix, length: route.prefixLength)
            out.field("preference", route.preference.name)
            out.field("lifetime", route.lifetime)
        case .recursiveDNSServers(let lifetime, let servers):
            out.field("lifetime", lifetime)
            out.array("servers", servers) { out, server in out.string(server) }
        case .dnsSearchList(let lifetime, let domains):
            out.field("lifetime", lifetime)
            out.array("domains", domains) { out, domain in out.string(domain) }
        case .captivePortal(let uri):
            out.field("uri", uri)
        case .pref64(let pref64):
            out.field("prefix", prefix: pref64.prefix, length: pref64.prefixLength)
            out.field("lifetime", pref64.lifetime)
        case .unknown(_, let length, let data):
            out.field("length", length)
            out.field("data", Hexdump.hexString(data))
        }
        out.endObject()
    }
}
