import Addresses
import Rendering

/// `-v` lines for IP packets: every header field, each transport field and option.
enum IPDetails {
    static func lines(_ packet: IPPacket) -> [String] {
        var lines = [network(packet.network)]
        switch packet.transport {
        case .tcp(let segment): lines += tcp(segment)
        case .udp(let datagram):
            lines.append("  udp \(datagram.sourcePort) > \(datagram.destinationPort), length \(datagram.length), "
                + "checksum \(hex(datagram.checksum)) \(status(datagram.checksumStatus))")
        case .icmp(let message):
            var line = "  \(message.isV6 ? "icmpv6" : "icmp") type \(message.type) (\(message.typeName)), code \(message.code)"
            if let name = message.codeName { line += " (\(name))" }
            lines.append(line + ", checksum \(hex(message.checksum)) \(status(message.checksumStatus))")
            if let quoted = message.quoted {
                lines.append("  quoted \(quoted.source) > \(quoted.destination), protocol \(quoted.protocolNumber)"
                    + (quoted.sourcePort.map { ", ports \($0) > \(quoted.destinationPort ?? 0)" } ?? ""))
            }
        case .laterFragment, .other: break
        }
        return lines
    }

    private static func network(_ network: IPPacket.Network) -> String {
        switch network {
        case .v4(let ip):
            var line = "  ipv4 tos 0x\(String(ip.typeOfService, radix: 16)), ttl \(ip.ttl), id \(ip.identification), "
                + "flags [\(ip.dontFragment ? "DF" : "")\(ip.moreFragments ? (ip.dontFragment ? ",MF" : "MF") : "")], "
                + "offset \(ip.fragmentOffset), proto \(ip.protocolNumber), length \(ip.totalLength), "
                + "header \(ip.headerLength), checksum \(hex(ip.checksum)) \(status(ip.checksumStatus))"
            let (options, malformed) = IPv4Option.all(ip.options)
            if !options.isEmpty || malformed {
                line += ", options (" + options.map(\.name).joined(separator: ",") + (malformed ? ",bad" : "") + ")"
            }
            return line
        case .v6(let ip):
            var line = "  ipv6 class 0x\(String(ip.trafficClass, radix: 16)), flow 0x\(String(ip.flowLabel, radix: 16)), "
                + "hop limit \(ip.hopLimit), payload \(ip.payloadLength), next header \(ip.upperLayer)"
            if ip.extensions.count > 0 { line += ", extensions " + ip.extensions.map { "\($0.name)" }.joined(separator: ",") }
            if let fragment = ip.fragment {
                line += ", fragment id \(fragment.identification) offset \(fragment.offset)\(fragment.moreFragments ? " +" : "")"
            }
            return line
        }
    }

    private static func tcp(_ segment: TCPSegment) -> [String] {
        var flags = JSONLine()
        IPText.flagLetters(segment.flags, to: &flags)
        var lines = ["  tcp \(segment.sourcePort) > \(segment.destinationPort), seq \(segment.sequence), ack \(segment.acknowledgment), "
            + "flags [\(String(decoding: flags.bytes, as: UTF8.self))], header \(segment.headerLength), window \(segment.window), "
            + "urgent \(segment.urgentPointer), checksum \(hex(segment.checksum)) \(status(segment.checksumStatus)), "
            + "payload \(segment.payloadLength)"]
        let (options, malformed) = TCPOption.all(segment.options)
        if !options.isEmpty || malformed {
            var text = JSONLine()
            IPText.options(segment.options, to: &text)
            lines.append("  options " + String(decoding: text.bytes, as: UTF8.self))
        }
        return lines
    }

    private static func hex(_ value: UInt16) -> String { "0x" + String(value, radix: 16).leftPadded(to: 4) }

    private static func status(_ status: ChecksumStatus) -> String {
        switch status {
        case .valid: "(valid)"
        case .invalid(let expected): "(invalid, expected \(hex(expected)))"
        case .absent: "(none)"
        case .unverifiable: "(not verified: the capture holds part of what it covers)"
        }
    }
}
