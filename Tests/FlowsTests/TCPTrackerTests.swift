import Addresses
import Testing
@testable import Flows
import Packets
import PacketFixtures

private typealias F = Frames

/// A conversation between a client at 198.18.0.1:40000 and a server at 198.18.0.2:80,
/// segment by segment, through the real decoder.
private struct Wire {
    var tracker = TCPTracker()
    var time = 0.0
    let clientISN: UInt32 = 1_000_000
    let serverISN: UInt32 = 4_294_967_000  // wraps past 2^32 within the test

    /// Sends a segment; `seq`/`ack` are relative to the sender's and the receiver's ISN.
    mutating func send(_ side: TCPSide, _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0, length: Int = 0, window: Int = 1000,
                       options: [UInt8] = [], after delay: Double = 0.001) -> TCPObservation {
        time += delay
        let (src, dst, sport, dport) = side == .client ? ("198.18.0.1", "198.18.0.2", 40000, 80) : ("198.18.0.2", "198.18.0.1", 80, 40000)
        let (mine, theirs) = side == .client ? (clientISN, serverISN) : (serverISN, clientISN)
        let bytes = F.tcp(src: src, dst: dst, sport: sport, dport: dport, seq: mine &+ seq, ack: flags.contains(.ack) ? theirs &+ ack : 0,
                          flags: flags.rawValue, window: window, options: options, payload: Array(repeating: 0x61, count: length))
        let frame = FrameDecoder.decode(F.ethernet(type: 0x0800, F.ipv4Packet(src: src, dst: dst, proto: 6, bytes)))
        let packet = frame.ip!
        return tracker.observe(packet.tcp!, source: packet.source, destination: packet.destination, time: time)
    }

    var only: TCPConnection { tracker.connections[0] }
}

@Suite("TCP connections tracked from their segments")
struct TCPTrackerTests {
    @Test("the handshake, data and the four-way close: states, relative numbers, the story of each segment")
    func wholeConnection() {
        var wire = Wire()
        let wscale: [UInt8] = [1, 3, 3, 7]
        var o = wire.send(.client, .syn, seq: 0, options: wscale)
        #expect(o.step == .handshake(1) && o.clientState == .synSent && o.serverState == .listen && o.annotation.sequence == 0)
        o = wire.send(.server, [.syn, .ack], seq: 0, ack: 1, options: wscale)
        #expect(o.step == .handshake(2) && o.serverState == .synReceived && o.annotation.acknowledgment == 1)
        o = wire.send(.client, .ack, seq: 1, ack: 1)
        #expect(o.step == .handshake(3) && o.clientState == .established && o.serverState == .established)
        #expect(o.annotation.scaledWindow == 128_000, "window 1000 scaled by 2^7 once both SYNs carried the option")
        o = wire.send(.client, [.psh, .ack], seq: 1, ack: 1, length: 5)
        #expect(o.step == .data && o.annotation.sequence == 1 && o.annotation.marks.isEmpty)
        o = wire.send(.server, .ack, seq: 1, ack: 6)
        #expect(o.step == .ack && o.annotation.acknowledgment == 6)
        o = wire.send(.client, [.fin, .ack], seq: 6, ack: 1)
        #expect(o.step == .close(1, first: .client) && o.clientState == .finWait1 && o.serverState == .closeWait)
        o = wire.send(.server, .ack, seq: 1, ack: 7)
        #expect(o.step == .close(2, first: .client) && o.clientState == .finWait2)
        o = wire.send(.server, [.fin, .ack], seq: 1, ack: 7)
        #expect(o.step == .close(3, first: .client) && o.serverState == .lastAck && o.clientState == .timeWait)
        o = wire.send(.client, .ack, seq: 7, ack: 2)
        #expect(o.step == .close(4, first: .client) && o.serverState == .closed && o.clientState == .timeWait)
        let connection = wire.only
        #expect(connection.closedFirst == .client && connection.ending == .closed && connection.retransmissions == 0)
        #expect(connection.packetsToServer == 5 && connection.bytesToServer == 5 && connection.packetsToClient == 4)
        #expect(abs((connection.handshakeRTT ?? 0) - 0.002) < 1e-9)
    }

    @Test("a FIN that also acknowledges the first FIN: the first closer goes straight on to TIME_WAIT")
    func threeWayClose() {
        var wire = Wire()
        _ = wire.send(.client, .syn, seq: 0)
        _ = wire.send(.server, [.syn, .ack], seq: 0, ack: 1)
        _ = wire.send(.client, .ack, seq: 1, ack: 1)
        _ = wire.send(.server, [.fin, .ack], seq: 1, ack: 1)
        let o = wire.send(.client, [.fin, .ack], seq: 1, ack: 2)
        #expect(o.step == .closeAcknowledging(first: .server) && o.serverState == .timeWait && o.clientState == .lastAck)
        let last = wire.send(.server, .ack, seq: 2, ack: 2)
        #expect(last.clientState == .closed && last.step == .close(4, first: .server))
    }

    @Test("a reset ends the connection for both sides")
    func reset() {
        var wire = Wire()
        _ = wire.send(.client, .syn, seq: 0)
        let o = wire.send(.server, [.rst, .ack], seq: 0, ack: 1)
        #expect(o.step == .reset && o.clientState == .closed && o.serverState == .closed)
        #expect(wire.only.ending == .reset(by: .server))
    }

    @Test("retransmission, lost segment, duplicate ACKs and a fast retransmission, as tshark marks them")
    func lossAnalysis() {
        var wire = Wire()
        _ = wire.send(.client, .syn, seq: 0)
        _ = wire.send(.server, [.syn, .ack], seq: 0, ack: 1)
        _ = wire.send(.client, .ack, seq: 1, ack: 1)
        _ = wire.send(.server, .ack, seq: 1, ack: 1, length: 100)
        // 101-200 is lost before the capture point.
        #expect(wire.send(.server, .ack, seq: 201, ack: 1, length: 100).annotation.marks == .lostSegment)
        #expect(wire.send(.client, .ack, seq: 1, ack: 101).annotation.marks.isEmpty)
        #expect(wire.send(.client, .ack, seq: 1, ack: 101).annotation.marks == .duplicateAck)
        #expect(wire.send(.client, .ack, seq: 1, ack: 101).annotation.marks == .duplicateAck)
        let fast = wire.send(.server, .ack, seq: 101, ack: 1, length: 100, after: 0.005)
        #expect(fast.annotation.marks == [.fastRetransmission, .retransmission])
        // The same bytes again, much later: a plain retransmission, and a spurious one once acknowledged.
        _ = wire.send(.client, .ack, seq: 1, ack: 301)
        let spurious = wire.send(.server, .ack, seq: 101, ack: 1, length: 100, after: 0.5)
        #expect(spurious.annotation.marks == [.spuriousRetransmission, .retransmission])
        let again = wire.send(.server, .ack, seq: 301, ack: 1, length: 10, after: 0.5)
        #expect(again.annotation.marks.isEmpty)
        let late = wire.send(.server, .ack, seq: 301, ack: 1, length: 10, after: 0.5)
        #expect(late.annotation.marks == .retransmission)
        #expect(wire.only.retransmissions == 3)
    }

    @Test("a retransmitted SYN: the handshake RTT runs from the last SYN, so later repeats are retransmissions, not reordering")
    func retransmittedSYN() {
        var wire = Wire()
        _ = wire.send(.client, .syn, seq: 0)
        _ = wire.send(.client, .syn, seq: 0, after: 1.0)
        _ = wire.send(.server, [.syn, .ack], seq: 0, ack: 1, after: 0.0001)
        _ = wire.send(.client, .ack, seq: 1, ack: 1, after: 0.0001)
        #expect(abs((wire.only.handshakeRTT ?? 0) - 0.0002) < 1e-9)
        _ = wire.send(.client, .ack, seq: 1, ack: 1, length: 100)
        _ = wire.send(.client, .ack, seq: 101, ack: 1, length: 100, after: 0.0001)
        // 0.5 ms after the highest: beyond the 0.2 ms RTT, so a retransmission (it was "out of order" when the RTT ran from the first SYN).
        #expect(wire.send(.client, .ack, seq: 1, ack: 1, length: 100, after: 0.0005).annotation.marks == .retransmission)
    }

    @Test("reordering within 3 ms is out of order, not a retransmission")
    func outOfOrder() {
        var wire = Wire()
        _ = wire.send(.client, .ack, seq: 1, ack: 1, length: 10)
        _ = wire.send(.client, .ack, seq: 21, ack: 1, length: 10, after: 0.0005)
        let o = wire.send(.client, .ack, seq: 11, ack: 1, length: 10, after: 0.0005)
        #expect(o.annotation.marks == .outOfOrder)
        #expect(wire.only.retransmissions == 0)
    }

    @Test("zero window, window update, keep-alive and its ACK")
    func windows() {
        var wire = Wire()
        _ = wire.send(.client, .ack, seq: 1, ack: 1, length: 10)
        #expect(wire.send(.server, .ack, seq: 1, ack: 11, window: 0).annotation.marks == .zeroWindow)
        #expect(wire.send(.server, .ack, seq: 1, ack: 11, window: 500).annotation.marks == .windowUpdate)
        #expect(wire.send(.client, .ack, seq: 10, ack: 1, after: 60).annotation.marks == .keepAlive)
        #expect(wire.send(.server, .ack, seq: 1, ack: 11, window: 500).annotation.marks == .keepAliveAck)
    }

    @Test("a connection seen mid-stream counts from 1, as tshark does, and is taken as established")
    func midStream() {
        var wire = Wire()
        let o = wire.send(.client, [.psh, .ack], seq: 500, ack: 700, length: 3)
        #expect(o.annotation.sequence == 1 && o.annotation.acknowledgment == 1)
        #expect(o.clientState == .established && o.step == .data)
    }

    @Test("absolute numbers on request")
    func absolute() {
        var wire = Wire()
        wire.tracker = TCPTracker(absolute: true)
        #expect(wire.send(.client, .syn, seq: 0).annotation.sequence == wire.clientISN)
    }

    @Test("a new SYN on a finished connection's ports is a new connection")
    func portReuse() {
        var wire = Wire()
        _ = wire.send(.client, .syn, seq: 0)
        _ = wire.send(.server, [.rst, .ack], seq: 0, ack: 1)
        var again = Wire()
        again.tracker = wire.tracker
        let o = again.send(.client, .syn, seq: 5000)
        #expect(o.connection == 2 && again.tracker.connections.count == 2)
    }

    @Test("memory stays bounded: past the limit the least recently seen connection is dropped and kept for the summary")
    func limit() {
        var tracker = TCPTracker(limit: 10)
        for port in 1...100 {
            let bytes = F.tcp(src: "198.18.0.1", dst: "198.18.0.2", sport: port, dport: 80, seq: 1, flags: 0x002)
            let packet = FrameDecoder.decode(F.ethernet(type: 0x0800, F.ipv4Packet(src: "198.18.0.1", dst: "198.18.0.2", proto: 6, bytes))).ip!
            _ = tracker.observe(packet.tcp!, source: packet.source, destination: packet.destination, time: Double(port))
        }
        #expect(tracker.open == 10 && tracker.evicted == 90)
        #expect(tracker.connections.count <= 20)
    }
}
