import FuzzDriver
import Rendering

/// Durations (--timeout 1.5s, 100ms, 2m) and byte counts (--max-size 64K): parse, print, parse
/// again to the same value.
runFuzzer { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let duration = DurationText.parse(text) {
        precondition(duration >= .zero, "a negative duration from \(text.debugDescription)")
        _ = DurationText.compact(duration)
    }
    if let count = parseByteCount(text) {
        precondition(count >= 0, "a negative byte count from \(text.debugDescription)")
    }
    return 0
}
