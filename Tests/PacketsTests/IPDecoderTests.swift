import Foundation
import Rendering
import Testing
@testable import Packets
import PacketFixtures

private typealias F = Frames

/// The line PacketText prints for `frame`, without its timestamp.
private func line(_ frame: DecodedFrame, tcp: TCPAnnotation? = nil, verbose: Bool = false) -> String {
    var out = JSONLine()
    var clock = TimestampFormatter()
    PacketText.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: nil, verbose: verbose, tcp: tcp, clock: &clock, to: &out)
    let text = String(decoding: out.bytes, as: UTF8.self)
    return String(text.drop { $0 != " " }.dropFirst()).trimmingCharacters(in: .newlines)
}

/// The JSON object PacketJSON writes for `frame`.
private func json(_ frame: DecodedFrame, tcp: TCPAnnotation? = nil) throws -> [String: Any] {
    var out = JSONLine()
    var clock = TimestampFormatter()
    PacketJSON.append(frame, time: Timestamp(seconds: 0, microseconds: 0), interface: "lo", tcp: tcp, clock: &clock, to: &out)
    return try #require(try JSONSerialization.jsonObject(with: Data(out.bytes)) as? [String: Any])
}

private let synOptions: [UInt8] = [2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]

@Suite("IPv4, IPv6, TCP, UDP and ICMP decoding")
struct IPDecoderTests {
    private func synFrame(checksumError: Bool = false) -> [UInt8] {
        var segment = F.tcp(src: "127.0.0.1", dst: "127.0.0.1", sport: 41234, dport: 7007, seq: 3_000_000_000, flags: 0x002,
                            window: 65495, options: synOptions)
        if checksumError { segment[17] ^= 0x01 }
        return F.ethernet(dst: [0, 0, 0, 0, 0, 0], src: [0, 0, 0, 0, 0, 0], type: 0x0800,
                          F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 6, segment))
    }

    @Test("a SYN on loopback, as tcpdump prints it")
    func syn() throws {
        let frame = FrameDecoder.decode(synFrame())
        #expect(frame.malformed == nil && frame.findings.isEmpty)
        let segment = try #require(frame.ip?.tcp)
        #expect(segment.flags == .syn && segment.sequence == 3_000_000_000 && segment.window == 65495)
        #expect(segment.checksumStatus == .valid)
        #expect(TCPOptionSummary(segment.options).maximumSegmentSize == 65495)
        #expect(TCPOptionSummary(segment.options).windowScale == 7)
        #expect(line(frame) == "IP 127.0.0.1.41234 > 127.0.0.1.7007: Flags [S], seq 3000000000, win 65495, "
            + "options [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0")
    }

    @Test("JSON: snake_case keys, flags by name, options as objects, a checksum's verdict")
    func synJSON() throws {
        let object = try json(FrameDecoder.decode(synFrame(checksumError: true)))
        #expect(object["event"] as? String == "packet" && object["protocol"] as? String == "tcp")
        #expect(object["src_ip"] as? String == "127.0.0.1" && object["dst_port"] as? Int == 7007 && object["ttl"] as? Int == 64)
        #expect(object["flags"] as? [String] == ["SYN"] && object["seq"] as? Int == 3_000_000_000)
        #expect(object["checksum"] as? String == "invalid")
        let options = try #require(object["options"] as? [[String: Any]])
        #expect(options.map { $0["kind"] as? String } == ["mss", "sackOK", "TS", "nop", "wscale"])
        #expect(options[2]["value"] as? Int == 1 && options[4]["value"] as? Int == 7)
    }

    @Test("relative numbers and analysis marks come from the tracker's annotation")
    func annotated() throws {
        let data = F.tcp(src: "198.18.0.1", dst: "198.18.0.2", sport: 5000, dport: 80, seq: 1001, ack: 2001, flags: 0x018,
                         window: 502, payload: Array("hello".utf8))
        let frame = FrameDecoder.decode(F.ethernet(type: 0x0800, F.ipv4Packet(src: "198.18.0.1", dst: "198.18.0.2", proto: 6, data)))
        let note = TCPAnnotation(sequence: 1, acknowledgment: 1, marks: [.retransmission, .duplicateAck], scaledWindow: 64256)
        #expect(line(frame, tcp: note) == "IP 198.18.0.1.5000 > 198.18.0.2.80: Flags [P.], seq 1:6, ack 1, win 502, length 5 "
            + "[retransmission, duplicate ACK]")
        let object = try json(frame, tcp: note)
        #expect(object["seq"] as? Int == 1 && object["seq_raw"] as? Int == 1001 && object["window_bytes"] as? Int == 64256)
        #expect(object["analysis"] as? [String] == ["retransmission", "duplicate_ack"])
        #expect(object["payload_length"] as? Int == 5)
    }

    @Test("UDP over IPv4 with no checksum, over IPv6 with one")
    func udp() throws {
        let v4 = FrameDecoder.decode(F.ethernet(type: 0x0800, F.ipv4Packet(src: "198.18.0.1", dst: "198.18.0.2", proto: 17,
            F.udp(src: "198.18.0.1", dst: "198.18.0.2", sport: 40000, dport: 53, payload: [1, 2, 3], noChecksum: true))))
        #expect(v4.ip?.udp?.checksumStatus == .absent && v4.ip?.udp?.payloadLength == 3)
        #expect(line(v4) == "IP 198.18.0.1.40000 > 198.18.0.2.53: UDP, length 3")
        let datagram = F.udp(src: "2001:2::1", dst: "2001:2::2", sport: 40000, dport: 9, payload: Array("hello".utf8))
        let v6 = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.ipv6Packet(src: "2001:2::1", dst: "2001:2::2", next: 17, datagram)))
        #expect(v6.ip?.udp?.checksumStatus == .valid)
        let object = try json(v6)
        #expect(object["protocol"] as? String == "udp" && object["hop_limit"] as? Int == 64 && object["payload_length"] as? Int == 5)
    }

    @Test("an ICMP port unreachable names the datagram it quotes")
    func portUnreachable() throws {
        let original = F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 17,
                                    F.udp(src: "127.0.0.1", dst: "127.0.0.1", sport: 41000, dport: 9, payload: Array("hi".utf8)))
        let error = F.icmp(type: 3, code: 3, body: original)
        let frame = FrameDecoder.decode(F.ethernet(type: 0x0800, F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 1, error)))
        let message = try #require(frame.ip?.icmp)
        #expect("\(message.typeName)" == "destination-unreachable" && message.codeName.map { "\($0)" } == "port-unreachable")
        #expect(message.checksumStatus == .valid)
        #expect(message.quoted?.destinationPort == 9 && message.quoted?.sourcePort == 41000 && message.quoted?.protocolNumber == 17)
        #expect(line(frame) == "IP 127.0.0.1 > 127.0.0.1: ICMP destination unreachable, port unreachable, "
            + "quoting 127.0.0.1.41000 > 127.0.0.1.9 udp, length 38")
        let quoted = try #require(try json(frame)["quoted"] as? [String: Any])
        #expect(quoted["dst_port"] as? Int == 9 && quoted["protocol"] as? String == "udp")
    }

    @Test("ICMPv6 echo and packet too big")
    func icmpv6() throws {
        let echo = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.icmpv6(src: "::1", dst: "::1", hopLimit: 64, type: 128,
                                                                          body: [0, 7, 0, 1] + Array(repeating: 0, count: 8))))
        #expect(line(echo) == "IP6 ::1 > ::1: ICMP6, echo request, id 7, seq 1, length 16")
        let tooBig = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.icmpv6(src: "2001:2::1", dst: "2001:2::2", hopLimit: 64, type: 2,
            body: F.be32(1280) + F.ipv6Packet(src: "2001:2::2", dst: "2001:2::9", next: 6, F.be16(443) + F.be16(50000)))))
        let message = try #require(tooBig.ip?.icmp)
        #expect(message.rest == 1280 && message.quoted?.sourcePort == 443 && message.checksumStatus == .valid)
        #expect(try json(tooBig)["mtu"] as? Int == 1280)
    }

    @Test("an IPv6 extension chain is walked to the transport; a later fragment carries no header")
    func extensionChain() throws {
        let segment = F.tcp(src: "2001:2::1", dst: "2001:2::2", sport: 1, dport: 2, seq: 9, flags: 0x010)
        let hopByHop: [UInt8] = [60, 0, 1, 4, 0, 0, 0, 0]
        let destination: [UInt8] = [44, 0, 1, 4, 0, 0, 0, 0]
        let fragment: [UInt8] = [6, 0, 0, 0, 0, 0, 0, 42]
        let frame = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.ipv6Packet(src: "2001:2::1", dst: "2001:2::2", next: 0,
                                                                               hopByHop + destination + fragment + segment)))
        guard case .v6(let ip)? = frame.ip?.network else { Issue.record("not IPv6"); return }
        #expect(ip.extensions.map(\.rawValue) == [0, 60, 44] && ip.upperLayer == 6 && ip.fragment?.identification == 42)
        // A first fragment: the header is there, the checksum covers bytes it does not hold.
        #expect(frame.ip?.tcp?.checksumStatus == .unverifiable && frame.malformed == nil)
        let later: [UInt8] = [6, 0, 0x05, 0xa9, 0, 0, 0, 42]
        let tail = FrameDecoder.decode(F.ethernet(type: 0x86dd, F.ipv6Packet(src: "2001:2::1", dst: "2001:2::2", next: 44, later + [1, 2, 3])))
        #expect(tail.ip?.transport == .laterFragment)
        #expect(line(tail).hasPrefix("IP6 2001:2::1 > 2001:2::2: fragment id 42 offset 1448"))
    }

    @Test("malformed headers are named, never a trap", arguments: [
        ("an endless extension chain", F.ipv6Packet(src: "::1", dst: "::1", next: 0, Array(repeating: [0, 0, 0, 0, 0, 0, 0, 0], count: 9).flatMap { $0 }),
         "more than 8 IPv6 extension headers"),
        ("an extension past the payload", F.ipv6Packet(src: "::1", dst: "::1", next: 60, [6, 3, 0, 0, 0, 0, 0, 0]) + Array(repeating: 0, count: 40),
         "run past the payload length"),
        ("a TCP data offset below 5", F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 6,
            Array(F.tcp(src: "127.0.0.1", dst: "127.0.0.1", sport: 1, dport: 2, seq: 0, flags: 2).enumerated().map { $0.offset == 12 ? 0x40 : $0.element })),
         "TCP header length 16 is below the minimum 20"),
        ("an IPv4 header length of 16", [0x44] + Array(F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 6, []).dropFirst()),
         "IPv4 header length 16 is below the minimum 20"),
        ("a UDP length past the packet", F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 17, F.be16(1) + F.be16(2) + F.be16(300) + [0, 0]),
         "UDP length 300 runs past"),
    ])
    func malformed(name: String, packet: [UInt8], reason: String) {
        let frame = FrameDecoder.decode(F.ethernet(type: packet.first! >> 4 == 6 ? 0x86dd : 0x0800, packet))
        #expect(frame.malformedReason?.contains(reason) == true, "\(name): \(frame.malformedReason ?? "nil")")
    }

    @Test("a snapshot length that cuts the payload leaves the checksum unverified, not wrong")
    func snapshotCut() throws {
        let data = F.tcp(src: "127.0.0.1", dst: "127.0.0.1", sport: 1, dport: 2, seq: 1, flags: 0x018, payload: Array(repeating: 7, count: 100))
        let whole = F.ethernet(type: 0x0800, F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 6, data))
        let frame = FrameDecoder.decode(Array(whole.prefix(80)), originalLength: whole.count)
        #expect(frame.ip?.tcp?.checksumStatus == .unverifiable && frame.ip?.tcp?.payloadLength == 100 && frame.malformed == nil)
    }

    @Test("an IPv4 total length of 0 (TSO, BIG TCP) is sized from the capture and said so, not called malformed")
    func totalLengthZero() throws {
        let data = F.tcp(src: "198.18.0.1", dst: "198.18.0.2", sport: 1, dport: 2, seq: 1, flags: 0x018, payload: Array(repeating: 1, count: 3000))
        var packet = F.ipv4Packet(src: "198.18.0.1", dst: "198.18.0.2", proto: 6, data)
        (packet[2], packet[3], packet[10], packet[11]) = (0, 0, 0, 0)
        let sum = F.checksum(Array(packet.prefix(20)))
        (packet[10], packet[11]) = (UInt8(sum >> 8), UInt8(sum & 0xff))
        let frame = FrameDecoder.decode(F.ethernet(type: 0x0800, packet))
        #expect(frame.malformed == nil && frame.ip?.tcp?.payloadLength == 3000 && frame.ip?.tcp?.checksumStatus == .unverifiable)
        #expect(frame.findings.map { "\($0.code)" } == ["total-length-zero"])
    }

    @Test("a wrong IPv4 header checksum is a finding")
    func badHeaderChecksum() {
        var packet = F.ipv4Packet(src: "198.18.0.1", dst: "198.18.0.2", proto: 17, F.udp(src: "198.18.0.1", dst: "198.18.0.2", sport: 1, dport: 2, payload: []))
        packet[10] ^= 0xff
        let frame = FrameDecoder.decode(F.ethernet(type: 0x0800, packet))
        #expect(frame.findings.map { "\($0.code)" } == ["ip-checksum"])
    }

    @Test("raw IP and BSD loopback link types")
    func linkTypes() {
        let packet = F.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 17, F.udp(src: "127.0.0.1", dst: "127.0.0.1", sport: 1, dport: 2, payload: [0]))
        #expect(FrameDecoder.decode(packet, linkType: LinkType(dlt: 12)).ip?.udp?.destinationPort == 2)
        #expect(FrameDecoder.decode(packet, linkType: LinkType(dlt: 101)).ip?.udp != nil)
        // DLT_NULL holds the family in the capturing host's order (2, little-endian here); DLT_LOOP in network order.
        #expect(FrameDecoder.decode([2, 0, 0, 0] + packet, linkType: LinkType(dlt: 0)).ip?.udp != nil)
        let v6 = F.ipv6Packet(src: "::1", dst: "::1", next: 59, [])
        #expect(FrameDecoder.decode([0, 0, 0, 30] + v6, linkType: LinkType(dlt: 108)).ip?.protocolNumber == 59)
    }

    @Test("TCP options by name, SACK blocks, unknown kinds with their bytes, a bad length")
    func options() {
        let bytes: [UInt8] = [1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20, 34, 2, 99, 4, 0xab, 0xcd, 30, 3, 0x10, 0, 0]
        let all = bytes.withUnsafeBytes { TCPOption.all(OptionBytes($0)) }
        #expect(all.options == [.noOperation, .noOperation, .sack([.init(left: 10, right: 20)]), .fastOpen(cookie: []),
                                .unknown(kind: 99, data: [0xab, 0xcd]), .multipath(subtype: 1, data: [0x10]), .endOfList])
        #expect(!all.malformed)
        let bad: [UInt8] = [2, 9, 0, 0]
        #expect(bad.withUnsafeBytes { TCPOption.all(OptionBytes($0)) }.malformed)
    }
}
