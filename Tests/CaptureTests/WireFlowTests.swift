import Addresses
import Capture
import PacketFixtures
import Packets
import Testing

@Suite("--wire: which packets are one's own flow, and the route's interface")
struct WireFlowTests {
    typealias F = Frames

    static let syn: UInt16 = 0x002, ack: UInt16 = 0x010, synAck: UInt16 = 0x012, pshAck: UInt16 = 0x018, rstAck: UInt16 = 0x014

    static func tcp(_ src: String, _ sport: Int, _ dst: String, _ dport: Int, flags: UInt16) -> IPPacket? {
        FrameDecoder.decode(F.ipv4Packet(src: src, dst: dst, proto: 6, F.tcp(src: src, dst: dst, sport: sport, dport: dport, seq: 1, flags: flags)),
                            linkType: .rawIP).ip
    }

    static func udp(_ src: String, _ sport: Int, _ dst: String, _ dport: Int) -> [UInt8] {
        F.ipv4Packet(src: src, dst: dst, proto: 17, F.udp(src: src, dst: dst, sport: sport, dport: dport, payload: Array("hello".utf8)))
    }

    /// An ICMP port unreachable from `router` quoting `datagram`.
    static func unreachable(from router: String, to host: String, quoting datagram: [UInt8]) -> IPPacket? {
        FrameDecoder.decode(F.ipv4Packet(src: router, dst: host, proto: 1, F.icmp(type: 3, code: 3, body: Array(datagram.prefix(28)))),
                            linkType: .rawIP).ip
    }

    @Test("a TCP flow learns its port from its SYN and keeps to its four-tuple; other clients of the same server are left out")
    func tcpFlow() throws {
        var flow = WireFlow(transport: .tcp, peers: [IPAddress("127.0.0.1")!], port: 7007)
        #expect(flow.filter == "tcp and port 7007 and (host 127.0.0.1)")
        // Before our SYN: another connection's segments are not ours, whichever way they go.
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 7007, "127.0.0.1", 40000, flags: Self.synAck))) == nil)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 40000, "127.0.0.1", 7007, flags: Self.pshAck))) == nil)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41234, "127.0.0.1", 7007, flags: Self.syn))) == .out)
        #expect(flow.localPort == 41234)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 7007, "127.0.0.1", 41234, flags: Self.synAck))) == .in)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41234, "127.0.0.1", 7007, flags: Self.ack))) == .out)
        // A second client's SYN after ours, and the server's answer to it.
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41235, "127.0.0.1", 7007, flags: Self.syn))) == nil)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 7007, "127.0.0.1", 41235, flags: Self.synAck))) == nil)
        // Another server port on the same host.
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41234, "127.0.0.1", 7008, flags: Self.ack))) == nil)
    }

    @Test("a connection refused with a reset gives way to the next attempt (the name's next address), not before")
    func nextAttemptAfterReset() throws {
        var flow = WireFlow(transport: .tcp, peers: [IPAddress("::1")!, IPAddress("127.0.0.1")!], port: 7007)
        #expect(flow.filter == "tcp and port 7007 and (host ::1 or host 127.0.0.1)")
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41000, "127.0.0.1", 7007, flags: Self.syn))) == .out)
        // Another client's SYN while ours is still open is not ours.
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41001, "127.0.0.1", 7007, flags: Self.syn))) == nil)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 7007, "127.0.0.1", 41000, flags: Self.rstAck))) == .in)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 41002, "127.0.0.1", 7007, flags: Self.syn))) == .out)
        #expect(flow.localPort == 41002)
        #expect(flow.classify(try #require(Self.tcp("127.0.0.1", 7007, "127.0.0.1", 41000, flags: Self.synAck))) == nil)
    }

    @Test("a UDP flow takes the ICMP errors that quote its own datagram, from any router, and no others")
    func udpFlowAndICMP() throws {
        var flow = WireFlow(transport: .udp, peers: [IPAddress("198.18.0.2")!], port: 9999)
        #expect(flow.filter == "(udp and port 9999 and (host 198.18.0.2)) or icmp or icmp6")
        let ours = Self.udp("198.18.0.1", 50000, "198.18.0.2", 9999)
        let other = Self.udp("198.18.0.1", 50001, "198.18.0.2", 9999)
        // An error before anything was sent cannot be ours.
        #expect(flow.classify(try #require(Self.unreachable(from: "198.18.0.2", to: "198.18.0.1", quoting: ours))) == nil)
        #expect(flow.classify(try #require(FrameDecoder.decode(ours, linkType: .rawIP).ip)) == .out)
        #expect(flow.classify(try #require(Self.unreachable(from: "198.18.0.2", to: "198.18.0.1", quoting: ours))) == .in)
        #expect(flow.classify(try #require(Self.unreachable(from: "198.18.9.9", to: "198.18.0.1", quoting: ours))) == .in)
        #expect(flow.classify(try #require(Self.unreachable(from: "198.18.0.2", to: "198.18.0.1", quoting: other))) == nil)
        #expect(flow.classify(try #require(FrameDecoder.decode(other, linkType: .rawIP).ip)) == nil)
    }

    @Test("the route to this host's own addresses leaves by loopback")
    func routeToLoopback() throws {
        let loopback = try #require(try CaptureInterface.all().first { $0.isLoopback }?.name)
        #expect(try CaptureInterface.route(to: IPAddress("127.0.0.1")!) == loopback)
        #expect(try CaptureInterface.route(to: IPAddress("127.1.2.3")!) == loopback)
        #expect(try CaptureInterface.route(to: IPAddress("::1")!) == loopback)
        // A non-loopback address of this host is still reached through loopback, as `ip route get` says.
        if let own = try CaptureInterface.all().first(where: { !$0.isLoopback && $0.name != "any" })?.addresses.first {
            #expect(try CaptureInterface.route(to: own) == loopback, "\(own)")
        }
    }
}
