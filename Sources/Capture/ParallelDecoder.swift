import Dispatch
import Packets
import Rendering

/// Decodes a file on every core and prints in order: the reading thread copies packets out of
/// libpcap's buffer into one batch per lane; while the lanes decode and render those batches
/// (each with a `FrameProcessor` of its own), it reads the next round; then it writes the
/// lanes' output in lane order, so the lines come out exactly as a single thread would print
/// them. Used only when nothing is learnt across packets (no --table, no --alerts), since the
/// neighbour table must see the packets in order.
final class ParallelDecoder {
    /// Packets per lane and round: large enough that handing a batch over costs nothing per
    /// packet, small enough that a lane's output stays in the cache.
    static let batchSize = 1024

    private let lanes: [DecodeLane]
    private let queues: [DispatchQueue]
    /// Batches being filled, one per lane; swapped with the lanes' own after each round.
    private var filling: [PacketBatch]

    init(lanes count: Int, processor: FrameProcessor, interface: String?) {
        lanes = (0..<count).map { _ in DecodeLane(processor: processor, interface: interface) }
        queues = (0..<count).map { DispatchQueue(label: "nettool.capture.decode.\($0)") }
        filling = (0..<count).map { _ in PacketBatch() }
    }

    /// The lanes' counts added up.
    var counts: FrameProcessor.Counts {
        lanes.reduce(into: FrameProcessor.Counts()) { $0.add($1.processor.counts) }
    }

    /// Reads with `next` until it returns nil (end, --count, a stop) or fails, writing each
    /// round's output to `write` in order; a read error is thrown after the packets before it
    /// are written, as a single thread would have.
    func run(next: () throws(CaptureError) -> CapturedPacket?, write: (UnsafeBufferPointer<UInt8>) -> Void) throws(CaptureError) {
        let group = DispatchGroup()
        var ended = false
        var pending = false
        var failure: CaptureError?
        while !ended || pending {
            var filled = 0
            for lane in filling.indices { filling[lane].removeAll() }
            if !ended {
                fill: for lane in filling.indices {
                    while filling[lane].count < Self.batchSize {
                        let packet: CapturedPacket?
                        do { packet = try next() } catch { failure = error; packet = nil }
                        guard let packet else { ended = true; break fill }
                        filling[lane].append(packet)
                        filled += 1
                    }
                }
            }
            if pending {
                group.wait()
                for lane in lanes { lane.output.withBytes(write) }
                pending = false
            }
            guard filled > 0 else { continue }
            for (index, lane) in lanes.enumerated() {
                swap(&lane.batch, &filling[index])
                guard lane.batch.count > 0 else { lane.output.reset(); continue }
                queues[index].async(group: group) { lane.decode() }
            }
            pending = true
        }
        if let failure { throw failure }
    }
}

/// Packets copied out of libpcap's buffer, which the next read reuses.
struct PacketBatch {
    private var bytes: [UInt8] = []
    private var frames: [(start: Int, count: Int, originalLength: Int, time: Timestamp)] = []

    var count: Int { frames.count }

    mutating func append(_ packet: CapturedPacket) {
        frames.append((bytes.count, packet.bytes.count, packet.originalLength, packet.time))
        bytes.append(contentsOf: packet.bytes)
    }

    /// Empties the batch, keeping its storage for the next round.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
    }

    func forEach(_ body: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) {
        bytes.withUnsafeBytes { all in
            for frame in frames {
                body(UnsafeRawBufferPointer(rebasing: all[frame.start..<frame.start + frame.count]), frame.originalLength, frame.time)
            }
        }
    }
}

/// One core's share: touched by its queue while decoding and by the reading thread between
/// rounds, never both at once (the dispatch group's wait orders them).
private final class DecodeLane: @unchecked Sendable {
    var processor: FrameProcessor
    var output = JSONLine(capacity: 1 << 17)
    var batch = PacketBatch()
    private let interface: String?
    private var names: [UInt32: String] = [:]

    init(processor: FrameProcessor, interface: String?) {
        self.processor = processor
        self.interface = interface
    }

    func decode() {
        output.reset()
        batch.forEach { bytes, originalLength, time in
            _ = processor.process(bytes, originalLength: originalLength, time: time, interface: interface,
                                  interfaceName: name(index:), to: &output)
        }
    }

    private func name(index: UInt32) -> String? {
        if let name = names[index] { return name }
        let name = CaptureInterface.name(index: index)
        names[index] = name
        return name
    }
}
