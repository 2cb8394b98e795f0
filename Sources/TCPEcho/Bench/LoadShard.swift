import Histogram
import NIOCore
import Synchronization

/// Everything the connections of one event loop share: the message bytes, the reference
/// pattern, the latency histogram and the counters. Confined to that loop, so recording a
/// message costs no lock and no atomic; the generator merges the shards at the end.
final class LoadShard {
    let size: Int
    let messageStorage: ByteBuffer
    let pattern = StreamPattern()
    var histogram = Histogram<UInt64>(highestTrackableValue: LoadShard.maxTrackedNanoseconds, numberOfSignificantValueDigits: .three)
    var messages = 0
    var bytes = 0
    var errors = 0
    var errorSamples: [String] = []

    static let maxTrackedNanoseconds: UInt64 = 60_000_000_000

    init(size: Int) {
        self.size = size
        messageStorage = StreamPattern.messageStorage(size: size)
    }

    func message(number: Int) -> ByteBuffer {
        messageStorage.getSlice(at: StreamPattern.offset(ofMessage: number, size: size), length: size)!
    }

    func record(latencyNanoseconds: UInt64) {
        messages += 1
        _ = histogram.record(min(latencyNanoseconds, Self.maxTrackedNanoseconds))
    }

    func fail(_ sentence: String) {
        errors += 1
        if errorSamples.count < 5 && !errorSamples.contains(sentence) { errorSamples.append(sentence) }
    }

    var snapshot: ShardSnapshot {
        ShardSnapshot(messages: messages, bytes: bytes, errors: errors, errorSamples: errorSamples, histogram: histogram)
    }
}

/// A copy of a shard's numbers, taken on its loop and carried off it.
struct ShardSnapshot: Sendable {
    let messages: Int
    let bytes: Int
    let errors: Int
    let errorSamples: [String]
    let histogram: Histogram<UInt64>
}

/// Set when a timed run is over: connections send no new messages and finish the ones in flight.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
