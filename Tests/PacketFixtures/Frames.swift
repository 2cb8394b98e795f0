import Foundation

/// Builds test frames byte by byte, independently of the decoders under test. The ICMPv6
/// checksum here is the plain RFC 1071 16-bit loop; real captured frames (RealFrames) and
/// tshark (CaptureTests) check that it agrees with the world.
public enum Frames {
    public static let macA: [UInt8] = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]
    public static let macB: [UInt8] = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x02]
    public static let broadcast: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]

    public static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    public static func be32(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public static func ipv4(_ text: String) -> [UInt8] { text.split(separator: ".").map { UInt8($0)! } }

    /// Expands `::` and returns the 16 bytes.
    public static func ipv6(_ text: String) -> [UInt8] {
        let halves = text.components(separatedBy: "::")
        let head = halves[0].isEmpty ? [] : halves[0].split(separator: ":").map { Int($0, radix: 16)! }
        let tail = halves.count > 1 && !halves[1].isEmpty ? halves[1].split(separator: ":").map { Int($0, radix: 16)! } : []
        let groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return groups.flatMap { be16($0) }
    }

    public static func ethernet(dst: [UInt8] = broadcast, src: [UInt8] = macA, type: Int, vlans: [Int] = [], _ payload: [UInt8]) -> [UInt8] {
        var frame = dst + src
        for (index, vlan) in vlans.enumerated() { frame += be16(index == 0 && vlans.count > 1 ? 0x88a8 : 0x8100) + be16(vlan) }
        return frame + be16(type) + payload
    }

    public static func arp(op: Int, sha: [UInt8], spa: String, tha: [UInt8], tpa: String) -> [UInt8] {
        be16(1) + be16(0x0800) + [6, 4] + be16(op) + sha + ipv4(spa) + tha + ipv4(tpa)
    }

    /// An IPv6 packet carrying an ICMPv6 message whose checksum is filled in (or `badChecksum`).
    public static func icmpv6(src: String, dst: String, hopLimit: UInt8 = 255, type: UInt8, code: UInt8 = 0,
                       body: [UInt8], badChecksum: Bool = false) -> [UInt8] {
        var message = [type, code, 0, 0] + body
        var sum = 0
        let pseudo = ipv6(src) + ipv6(dst) + be32(UInt32(message.count)) + [0, 0, 0, 58]
        let all = pseudo + message + (message.count % 2 == 1 ? [0] : [])
        for index in stride(from: 0, to: all.count, by: 2) { sum += Int(all[index]) << 8 | Int(all[index + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        let checksum = ~UInt16(sum) ^ (badChecksum ? 0x0101 : 0)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xff)
        return [0x60, 0, 0, 0] + be16(message.count) + [58, hopLimit] + ipv6(src) + ipv6(dst) + message
    }

    /// The RFC 1071 sum of `bytes` (padded to even length), complemented.
    public static func checksum(_ bytes: [UInt8]) -> UInt16 {
        let all = bytes + (bytes.count % 2 == 1 ? [0] : [])
        var sum = 0
        for index in stride(from: 0, to: all.count, by: 2) { sum += Int(all[index]) << 8 | Int(all[index + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// An IPv4 packet around `payload`, header checksum filled in.
    public static func ipv4Packet(src: String, dst: String, proto: UInt8, ttl: UInt8 = 64, id: Int = 0x1234,
                                  flags: Int = 0x4000, options: [UInt8] = [], _ payload: [UInt8]) -> [UInt8] {
        let headerLength = 20 + options.count
        var header = [UInt8(0x40 | headerLength / 4), 0] + be16(headerLength + payload.count) + be16(id) + be16(flags)
            + [ttl, proto, 0, 0] + ipv4(src) + ipv4(dst) + options
        let sum = checksum(header)
        header[10] = UInt8(sum >> 8)
        header[11] = UInt8(sum & 0xff)
        return header + payload
    }

    /// An IPv6 packet around `payload` (`next` is the first next-header value).
    public static func ipv6Packet(src: String, dst: String, next: UInt8, hopLimit: UInt8 = 64, _ payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(payload.count) + [next, hopLimit] + ipv6(src) + ipv6(dst) + payload
    }

    /// A TCP segment with its checksum over the pseudo-header of `src` and `dst` (dotted or IPv6 text).
    public static func tcp(src: String, dst: String, sport: Int, dport: Int, seq: UInt32, ack: UInt32 = 0, flags: UInt16,
                           window: Int = 65535, options: [UInt8] = [], payload: [UInt8] = []) -> [UInt8] {
        let headerLength = 20 + options.count
        var segment = be16(sport) + be16(dport) + be32(seq) + be32(ack) + be16(Int(headerLength / 4) << 12 | Int(flags))
            + be16(window) + [0, 0, 0, 0] + options + payload
        let sum = checksum(pseudo(src, dst, proto: 6, length: segment.count) + segment)
        segment[16] = UInt8(sum >> 8)
        segment[17] = UInt8(sum & 0xff)
        return segment
    }

    /// A UDP datagram with its checksum (zero over IPv4 when `noChecksum`).
    public static func udp(src: String, dst: String, sport: Int, dport: Int, payload: [UInt8], noChecksum: Bool = false) -> [UInt8] {
        var datagram = be16(sport) + be16(dport) + be16(8 + payload.count) + [0, 0] + payload
        guard !noChecksum else { return datagram }
        var sum = checksum(pseudo(src, dst, proto: 17, length: datagram.count) + datagram)
        if sum == 0 { sum = 0xffff }
        datagram[6] = UInt8(sum >> 8)
        datagram[7] = UInt8(sum & 0xff)
        return datagram
    }

    /// An ICMP (IPv4) message with its checksum.
    public static func icmp(type: UInt8, code: UInt8 = 0, rest: [UInt8] = [0, 0, 0, 0], body: [UInt8] = []) -> [UInt8] {
        var message = [type, code, 0, 0] + rest + body
        let sum = checksum(message)
        message[2] = UInt8(sum >> 8)
        message[3] = UInt8(sum & 0xff)
        return message
    }

    private static func pseudo(_ src: String, _ dst: String, proto: UInt8, length: Int) -> [UInt8] {
        src.contains(":") ? ipv6(src) + ipv6(dst) + be32(UInt32(length)) + [0, 0, 0, proto]
                          : ipv4(src) + ipv4(dst) + [0, proto] + be16(length)
    }

    public static func ndpFrame(src: String, dst: String, hopLimit: UInt8 = 255, type: UInt8, code: UInt8 = 0,
                         body: [UInt8], linkSource: [UInt8] = macA, badChecksum: Bool = false) -> [UInt8] {
        ethernet(dst: [0x33, 0x33, 0, 0, 0, 1], src: linkSource, type: 0x86dd,
                 icmpv6(src: src, dst: dst, hopLimit: hopLimit, type: type, code: code, body: body, badChecksum: badChecksum))
    }

    // Options, each padded to whole 8-byte units.
    public static func option(_ type: UInt8, _ data: [UInt8]) -> [UInt8] {
        let units = (data.count + 2 + 7) / 8
        return [type, UInt8(units)] + data + Array(repeating: 0, count: units * 8 - 2 - data.count)
    }

    public static func slla(_ mac: [UInt8]) -> [UInt8] { option(1, mac) }
    public static func tlla(_ mac: [UInt8]) -> [UInt8] { option(2, mac) }

    public static func prefix(_ prefix: String, length: UInt8, flags: UInt8 = 0xc0, valid: UInt32 = 2_592_000, preferred: UInt32 = 604_800) -> [UInt8] {
        option(3, [length, flags] + be32(valid) + be32(preferred) + [0, 0, 0, 0] + ipv6(prefix))
    }

    public static func routerAdvertisement(hopLimit: UInt8 = 64, flags: UInt8 = 0, lifetime: Int = 1800, options: [UInt8]) -> [UInt8] {
        [hopLimit, flags] + be16(lifetime) + be32(30_000) + be32(1_000) + options
    }
}
