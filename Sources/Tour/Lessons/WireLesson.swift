import Packets
import Rendering
#if canImport(Glibc)
import Glibc
#endif

enum WireLesson {
    static func run(_ tour: TourContext) throws {
        guard let ip = TwoHosts.ipTool() else { return sample(tour) }
        let hosts = try TwoHosts(tour, ip: ip, name: "tour")
        defer { hosts.remove(tour) }
        let (left, leftDevice) = (hosts.left, hosts.leftDevice)
        let failed = hosts.failure
        let setup = hosts.commands
        tour.emit(TourStep(
            lesson: .wire, number: 1, title: "Two hosts joined by a cable, for a minute",
            command: nil, output: setup.map { "ip " + $0.joined(separator: " ") } + (failed.map { [$0] } ?? []),
            explanation: """
                Loopback has no link layer, so there is nothing to resolve on it. These commands \
                make two network namespaces (two private network stacks) joined by a virtual \
                Ethernet cable, with addresses from the benchmarking ranges 198.18.0.0/15 and \
                fd00:198:18::/64. They are deleted at the end of the lesson.
                """,
            ok: failed == nil))
        guard failed == nil else { return }

        let inLeft = ["netns", "exec", left, tour.nettool]
        let (capture, captureToken) = try tour.start(inLeft + ["capture", "-i", leftDevice, "-c", "4", "--duration", "10s"], program: ip)
        defer { tour.cleanup.run(captureToken) }
        capture.poll(seconds: 10) { $0.stderr.contains("capturing on") }
        _ = try tour.run(inLeft + ["udp-send", "198.18.0.2", "9", "hello"], program: ip, seconds: 10)
        _ = try tour.run(inLeft + ["udp-send", "fd00:198:18::2", "9", "hello"], program: ip, seconds: 10)
        let status = capture.wait(seconds: 12)
        let seen = lines(capture.stdout)
        let expected = ["ARP request who-has 198.18.0.2 tell 198.18.0.1", "ARP reply 198.18.0.2 is-at 02:00:5e:00:bb:02",
                        "NDP NS who-has fd00:198:18::2", "NDP NA fd00:198:18::2 is-at 02:00:5e:00:bb:02"]
        tour.emit(TourStep(
            lesson: .wire, number: 2, title: "The first packet to a new neighbour",
            command: "nettool capture -i \(leftDevice) -c 4   (in \(left), while udp-send sends one datagram to 198.18.0.2 and one to fd00:198:18::2)",
            output: seen + lines(capture.stderr).filter { !$0.hasPrefix("capturing on") },
            explanation: """
                Before its first datagram could leave, 198.18.0.1 needed the Ethernet (MAC) address \
                of 198.18.0.2: it broadcast an ARP request ("who has 198.18.0.2?") and the peer \
                answered with its MAC. IPv6 does the same with Neighbor Discovery: a Neighbor \
                Solicitation sent to the target's solicited-node multicast group, and a Neighbor \
                Advertisement back. Both kernels now cache the answer, so the next packets go at once.
                """,
            ok: status == 0 && expected.allSatisfy { text in seen.contains { $0.contains(text) } }))
    }

    /// Without the right to capture: the same exchange, recorded earlier on a real veth pair,
    /// decoded by the same code.
    static func sample(_ tour: TourContext) {
        var out = JSONLine()
        var clock = TimestampFormatter()
        var whole = true
        for frame in SampleCapture.frames {
            let decoded = FrameDecoder.decode(frame.bytes)
            whole = whole && decoded.malformed == nil && (decoded.arp != nil || decoded.ndp != nil)
            PacketText.append(decoded, time: frame.time, interface: "veth0", verbose: false, clock: &clock, to: &out)
        }
        let decoded = lines(String(decoding: out.bytes, as: UTF8.self))
        tour.emit(TourStep(
            lesson: .wire, number: 1, title: "The first packet to a new neighbour (a recorded sample)",
            command: nil, output: decoded,
            explanation: """
                Watching a wire needs root or CAP_NET_RAW, which this run does not have, so here is \
                the same exchange recorded on a real veth pair and decoded by the same code. An ARP \
                request ("who has 198.18.0.2?") is broadcast and answered with a MAC; IPv6 does the \
                same with a Neighbor Solicitation and a Neighbor Advertisement. To watch it live: \
                sudo nettool tour wire (or sudo nettool capture -i eth0 on a real network).
                """,
            ok: whole && decoded.count == SampleCapture.frames.count))
    }
}
