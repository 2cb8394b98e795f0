import Testing
@testable import Capture
@testable import Packets
import PacketFixtures

@Suite("Well-known UDP ports named from the IANA registry")
struct ServiceNamesTests {
    private func datagram(_ source: Int, _ destination: Int) throws -> UDPDatagram {
        let bytes = Frames.udp(src: "127.0.0.1", dst: "127.0.0.1", sport: source, dport: destination, payload: [1])
        let frame = FrameDecoder.decode(Frames.ethernet(type: 0x0800, Frames.ipv4Packet(src: "127.0.0.1", dst: "127.0.0.1", proto: 17, bytes)))
        return try #require(frame.ip?.udp)
    }

    @Test("the destination's name first, else the source's; none above 1023")
    func names() throws {
        #expect(ServiceNames.udp(try datagram(40000, 53)) == "domain")
        #expect(ServiceNames.udp(try datagram(123, 40000)) == "ntp")
        #expect(ServiceNames.udp(try datagram(40000, 9)) == "discard")
        #expect(ServiceNames.udp(try datagram(40000, 5353)) == nil)
    }
}
