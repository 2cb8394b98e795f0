import Addresses
import Rendering

/// IP packets as JSON fields, in the style of the ARP/NDP records: `protocol`, `src_ip`,
/// `dst_ip`, ports, `ttl` or `hop_limit`, then the transport's fields.
enum IPJSON {
    static func fields(_ packet: IPPacket, frame: DecodedFrame, tcp annotation: TCPAnnotation?, service: String?, to out: inout JSONLine) {
        let isV6: Bool
        if case .v6 = packet.network { isV6 = true } else { isV6 = false }
        out.key("protocol")
        switch packet.transport {
        case .tcp: out.string("tcp")
        case .udp: out.string("udp")
        case .icmp: out.string(isV6 ? "icmpv6" : "icmp")
        case .laterFragment, .other: out.string(isV6 ? "ipv6" : "ipv4")
        }
        out.field("src_mac", frame.link.source)
        out.field("src_ip", packet.source)
        out.field("dst_ip", packet.destination)
        network(packet.network, to: &out)
        switch packet.transport {
        case .tcp(let segment): tcp(segment, annotation, to: &out)
        case .udp(let datagram):
            out.field("src_port", datagram.sourcePort)
            out.field("dst_port", datagram.destinationPort)
            if let service { out.field("service", service) }
            out.field("udp_length", datagram.length)
            out.field("payload_length", datagram.payloadLength)
            checksum(datagram.checksumStatus, to: &out)
        case .icmp(let message): icmp(message, to: &out)
        case .laterFragment: out.field("fragment", "later")
        case .other: break
        }
    }

    private static func network(_ network: IPPacket.Network, to out: inout JSONLine) {
        switch network {
        case .v4(let ip):
            out.field("ip_version", 4)
            out.field("ttl", ip.ttl)
            out.field("ip_protocol", ip.protocolNumber)
            out.field("ip_id", ip.identification)
            out.field("dont_fragment", ip.dontFragment)
            if ip.isFragment {
                out.field("more_fragments", ip.moreFragments)
                out.field("fragment_offset", ip.fragmentOffset)
            }
            out.field("tos", ip.typeOfService)
            if !ip.options.isEmpty {
                out.array("ip_options", IPv4Option.all(ip.options).options) { out, option in out.string(option.name) }
            }
        case .v6(let ip):
            out.field("ip_version", 6)
            out.field("hop_limit", ip.hopLimit)
            out.field("next_header", ip.upperLayer)
            out.field("flow_label", ip.flowLabel)
            if ip.extensions.count > 0 { out.array("extension_headers", ip.extensions) { out, kind in out.string(kind.name) } }
            if let fragment = ip.fragment {
                out.field("more_fragments", fragment.moreFragments)
                out.field("fragment_offset", fragment.offset)
            }
        }
    }

    private static func tcp(_ segment: TCPSegment, _ annotation: TCPAnnotation?, to out: inout JSONLine) {
        out.field("src_port", segment.sourcePort)
        out.field("dst_port", segment.destinationPort)
        out.key("flags")
        out.beginArray()
        for entry in TCPFlags.named where segment.flags.contains(entry.flag) { out.string(entry.name) }
        out.endArray()
        out.field("seq", annotation?.sequence ?? segment.sequence)
        out.field("ack", annotation?.acknowledgment ?? segment.acknowledgment)
        if annotation != nil {
            out.field("seq_raw", segment.sequence)
            out.field("ack_raw", segment.acknowledgment)
        }
        out.field("window", segment.window)
        if let scaled = annotation?.scaledWindow { out.field("window_bytes", scaled) }
        if segment.flags.contains(.urg) { out.field("urgent_pointer", segment.urgentPointer) }
        out.field("payload_length", segment.payloadLength)
        checksum(segment.checksumStatus, to: &out)
        out.key("options")
        out.beginArray()
        TCPOption.walk(segment.options) { kind, data in option(TCPOption.decode(kind: kind, data: data), to: &out) }
        out.endArray()
        if let marks = annotation?.marks {
            out.key("analysis")
            out.beginArray()
            for entry in TCPAnalysisMarks.named where marks.contains(entry.mark) { out.string(entry.key) }
            out.endArray()
        }
    }

    private static func option(_ option: TCPOption, to out: inout JSONLine) {
        out.beginObject()
        out.field("kind", option.name)
        switch option {
        case .maximumSegmentSize(let value): out.field("value", value)
        case .windowScale(let value): out.field("value", value)
        case .userTimeout(let value): out.field("value", value)
        case .sack(let blocks):
            out.objects("blocks", blocks) { out, block in out.field("left", block.left); out.field("right", block.right) }
        case .timestamps(let value, let echo):
            out.field("value", value)
            out.field("echo_reply", echo)
        case .fastOpen(let cookie): out.field("cookie", Hexdump.hexString(cookie))
        case .multipath(let subtype, let data):
            out.field("subtype", subtype)
            out.field("data", Hexdump.hexString(data))
        case .unknown(let kind, let data):
            out.field("number", kind)
            out.field("data", Hexdump.hexString(data))
        case .endOfList, .noOperation, .sackPermitted, .md5Signature: break
        }
        out.endObject()
    }

    private static func icmp(_ message: ICMPMessage, to out: inout JSONLine) {
        out.field("type", message.typeName)
        out.field("type_number", message.type)
        out.key("code")
        if let name = message.codeName { out.string(name) } else { out.int(message.code) }
        out.field("code_number", message.code)
        if message.isEcho {
            out.field("id", message.identifier)
            out.field("sequence", message.sequence)
        }
        if message.isV6 && message.type == 2 { out.field("mtu", message.rest) }
        out.field("payload_length", message.payloadLength)
        checksum(message.checksumStatus, to: &out)
        if let quoted = message.quoted {
            out.key("quoted")
            out.beginObject()
            out.field("src_ip", quoted.source)
            out.field("dst_ip", quoted.destination)
            out.field("protocol", protocolName(quoted.protocolNumber, isV6: message.isV6))
            if let port = quoted.sourcePort { out.field("src_port", port) }
            if let port = quoted.destinationPort { out.field("dst_port", port) }
            out.endObject()
        }
    }

    private static func checksum(_ status: ChecksumStatus, to out: inout JSONLine) {
        out.key("checksum")
        switch status {
        case .valid: out.string("valid")
        case .invalid: out.string("invalid")
        case .absent: out.string("none")
        case .unverifiable: out.string("unverified")
        }
    }

    static func protocolName(_ number: UInt8, isV6: Bool) -> StaticString {
        switch number {
        case 1: "icmp"
        case 6: "tcp"
        case 17: "udp"
        case 58: "icmpv6"
        case 132: "sctp"
        case 33: "dccp"
        case 47: "gre"
        case 50: "esp"
        case 51: "ah"
        default: isV6 ? "ipv6" : "ipv4"
        }
    }
}
