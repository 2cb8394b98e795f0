import Flows
import FuzzDriver
import Packets
import Rendering

/// A stream of raw IP packets, each behind a 2-byte length, fed in order to one TCP tracker (a
/// small table, so eviction runs too): every segment drawn as ladder rows and JSON, then the
/// conversations. What is stateful across packets (relative numbers, states, analysis) must
/// never trap on whatever order or content segments arrive in.
runFuzzer { data, size in
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var tracker = TCPTracker(limit: 4)
    var ladder = Ladder()
    var output = JSONLine()
    var clock = TimestampFormatter()
    var offset = 0
    var time = 1_795_000_000.0
    while offset + 2 <= size {
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        offset += 2
        let packet = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(size, offset + length)])
        offset += packet.count
        time += Double(length % 97) / 1000
        let frame = FrameDecoder.decode(packet, linkType: .rawIP)
        guard let ip = frame.ip, let segment = ip.tcp else { continue }
        let observation = tracker.observe(segment, source: ip.source, destination: ip.destination, time: time)
        _ = ladder.rows(observation, segment, time: time)
        Ladder.json(observation, segment, time: Timestamp(seconds: Int(time), microseconds: 0), clock: &clock, to: &output)
        PacketJSON.append(frame, time: Timestamp(seconds: Int(time), microseconds: 0), interface: nil, tcp: observation.annotation,
                          clock: &clock, to: &output)
        output.reset()
    }
    _ = ConversationReport.text(tracker.connections, evicted: tracker.evicted)
    for connection in tracker.connections { ConversationReport.json(connection, to: &output) }
    return 0
}
