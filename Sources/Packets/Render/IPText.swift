import Addresses
import Rendering

/// IP packets on one line in tcpdump's shape (`IP 127.0.0.1.41234 > 127.0.0.1.7007: Flags [S],
/// seq 0, win 65495, options [mss 65495,...], length 0`), so a tcpdump user reads them at once.
enum IPText {
    static func line(_ packet: IPPacket, tcp annotation: TCPAnnotation?, service: String? = nil, to out: inout JSONLine) {
        let isV6: Bool
        if case .v6 = packet.network { isV6 = true } else { isV6 = false }
        out.literal(isV6 ? "IP6 " : "IP ")
        switch packet.transport {
        case .tcp(let segment):
            endpoints(packet, segment.sourcePort, segment.destinationPort, to: &out)
            tcp(segment, annotation, to: &out)
        case .udp(let datagram):
            endpoints(packet, datagram.sourcePort, datagram.destinationPort, to: &out)
            out.literal("UDP")
            if let service {
                out.literal(" (")
                out.text(service)
                out.textByte(UInt8(ascii: ")"))
            }
            out.literal(", length ")
            out.textInt(datagram.payloadLength)
        case .icmp(let message):
            endpoints(packet, nil, nil, to: &out)
            icmp(message, to: &out)
        case .laterFragment:
            endpoints(packet, nil, nil, to: &out)
            fragment(packet, to: &out)
        case .other:
            endpoints(packet, nil, nil, to: &out)
            out.literal("ip-proto-")
            out.textInt(packet.protocolNumber)
        }
    }

    /// `src.port > dst.port: ` (tcpdump -nn's dotted port), or just the addresses.
    private static func endpoints(_ packet: IPPacket, _ sourcePort: UInt16?, _ destinationPort: UInt16?, to out: inout JSONLine) {
        out.text(packet.source)
        if let sourcePort { out.textByte(UInt8(ascii: ".")); out.textInt(sourcePort) }
        out.literal(" > ")
        out.text(packet.destination)
        if let destinationPort { out.textByte(UInt8(ascii: ".")); out.textInt(destinationPort) }
        out.literal(": ")
    }

    static func tcp(_ segment: TCPSegment, _ annotation: TCPAnnotation?, to out: inout JSONLine) {
        out.literal("Flags [")
        flagLetters(segment.flags, to: &out)
        out.textByte(UInt8(ascii: "]"))
        // As tcpdump prints them: a SYN's numbers as on the wire, the rest relative to them.
        let relative = segment.flags.contains(.syn) ? nil : annotation
        let sequence = relative?.sequence ?? segment.sequence
        if segment.payloadLength > 0 || segment.flags.contains(.syn) || segment.flags.contains(.fin) || segment.flags.contains(.rst) {
            out.literal(", seq ")
            out.textInt(sequence)
            if segment.payloadLength > 0 {
                out.textByte(UInt8(ascii: ":"))
                out.textInt(sequence &+ UInt32(truncatingIfNeeded: segment.payloadLength))
            }
        }
        if segment.flags.contains(.ack) {
            out.literal(", ack ")
            out.textInt(relative?.acknowledgment ?? segment.acknowledgment)
        }
        out.literal(", win ")
        out.textInt(segment.window)
        if segment.flags.contains(.urg) {
            out.literal(", urg ")
            out.textInt(segment.urgentPointer)
        }
        if !segment.options.isEmpty {
            out.literal(", options [")
            options(segment.options, to: &out)
            out.textByte(UInt8(ascii: "]"))
        }
        out.literal(", length ")
        out.textInt(segment.payloadLength)
        if let marks = annotation?.marks, !marks.isEmpty {
            out.literal(" [")
            var first = true
            for entry in TCPAnalysisMarks.named where marks.contains(entry.mark) {
                if !first { out.literal(", ") }
                out.literal(entry.words)
                first = false
            }
            out.textByte(UInt8(ascii: "]"))
        }
    }

    static func flagLetters(_ flags: TCPFlags, to out: inout JSONLine) {
        if flags.isEmpty { out.literal("none"); return }
        for entry in TCPFlags.named where flags.contains(entry.flag) { out.textByte(entry.letter) }
    }

    /// `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`, as tcpdump prints them.
    static func options(_ bytes: OptionBytes, to out: inout JSONLine) {
        var first = true
        let malformed = TCPOption.walk(bytes) { kind, data in
            if !first { out.textByte(UInt8(ascii: ",")) }
            first = false
            option(TCPOption.decode(kind: kind, data: data), to: &out)
        }
        if malformed { out.literal(first ? "bad opt" : ",bad opt") }
    }

    private static func option(_ option: TCPOption, to out: inout JSONLine) {
        switch option {
        case .maximumSegmentSize(let value): out.literal("mss "); out.textInt(value)
        case .windowScale(let value): out.literal("wscale "); out.textInt(value)
        case .sack(let blocks):
            out.literal("sack "); out.textInt(blocks.count)
            for block in blocks {
                out.literal(" {"); out.textInt(block.left); out.textByte(UInt8(ascii: ":")); out.textInt(block.right)
                out.textByte(UInt8(ascii: "}"))
            }
        case .timestamps(let value, let echo):
            out.literal("TS val "); out.textInt(value); out.literal(" ecr "); out.textInt(echo)
        case .fastOpen(let cookie):
            out.literal(cookie.isEmpty ? "tfo cookiereq" : "tfo cookie ")
            if !cookie.isEmpty { out.text(Hexdump.hexString(cookie)) }
        case .multipath(let subtype, _): out.literal("mptcp subtype "); out.textInt(subtype)
        case .userTimeout(let value): out.literal("uto "); out.textInt(value)
        case .unknown(let kind, let data):
            out.literal("unknown-"); out.textInt(kind)
            if !data.isEmpty { out.literal(" 0x"); out.text(Hexdump.hexString(data)) }
        case .endOfList, .noOperation, .sackPermitted, .md5Signature: out.literal(option.name)
        }
    }

    /// `ICMP echo request, id 5, seq 1, length 64`; an error names what it quotes.
    static func icmp(_ message: ICMPMessage, to out: inout JSONLine) {
        out.literal(message.isV6 ? "ICMP6, " : "ICMP ")
        words(message.typeName, to: &out)
        if message.isEcho {
            out.literal(", id "); out.textInt(message.identifier)
            out.literal(", seq "); out.textInt(message.sequence)
        } else if let code = message.codeName {
            out.literal(", ")
            words(code, to: &out)
        }
        if message.isV6 && message.type == 2 {
            out.literal(", mtu "); out.textInt(message.rest)
        } else if !message.isV6 && message.type == 3 && message.code == 4 {
            out.literal(", mtu "); out.textInt(message.rest & 0xffff)
        }
        if let quoted = message.quoted {
            out.literal(", quoting ")
            out.text(quoted.source)
            if let port = quoted.sourcePort { out.textByte(UInt8(ascii: ".")); out.textInt(port) }
            out.literal(" > ")
            out.text(quoted.destination)
            if let port = quoted.destinationPort { out.textByte(UInt8(ascii: ".")); out.textInt(port) }
            out.textByte(UInt8(ascii: " "))
            out.literal(IPJSON.protocolName(quoted.protocolNumber, isV6: message.isV6))
        }
        out.literal(", length ")
        out.textInt(message.payloadLength + 8)
    }

    private static func fragment(_ packet: IPPacket, to out: inout JSONLine) {
        out.literal("fragment")
        switch packet.network {
        case .v4(let ip):
            out.literal(" id "); out.textInt(ip.identification)
            out.literal(" offset "); out.textInt(ip.fragmentOffset)
            out.literal(", length "); out.textInt(ip.payloadLength)
        case .v6(let ip):
            if let fragment = ip.fragment {
                out.literal(" id "); out.textInt(fragment.identification)
                out.literal(" offset "); out.textInt(fragment.offset)
            }
            out.literal(", length "); out.textInt(ip.upperLayerLength)
        }
    }

    /// A hyphenated name with spaces, for text: `echo-request` → `echo request`.
    private static func words(_ name: StaticString, to out: inout JSONLine) {
        name.withUTF8Buffer { buffer in
            for byte in buffer { out.textByte(byte == UInt8(ascii: "-") ? UInt8(ascii: " ") : byte) }
        }
    }
}
