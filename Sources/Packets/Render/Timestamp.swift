import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// When a packet was captured, as pcap gives it.
public struct Timestamp: Equatable, Comparable, Sendable {
    public var seconds: Int
    public var microseconds: Int

    public init(seconds: Int, microseconds: Int) {
        self.seconds = seconds
        self.microseconds = microseconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.microseconds) < (rhs.seconds, rhs.microseconds)
    }
}

/// Formats timestamps, redoing the calendar work only when the second changes (a capture
/// file holds many packets per second).
public struct TimestampFormatter {
    private var localSecond = Int.min
    private var localPrefix: [UInt8] = []
    private var utcSecond = Int.min
    private var utcPrefix: [UInt8] = []

    public init() {}

    /// `HH:MM:SS.uuuuuu` in local time, as tcpdump prints.
    public mutating func withLocal<R>(_ time: Timestamp, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if time.seconds != localSecond {
            localSecond = time.seconds
            let parts = Self.calendar(time.seconds, local: true)
            localPrefix = Self.twoDigits(parts.tm_hour) + [UInt8(ascii: ":")] + Self.twoDigits(parts.tm_min)
                + [UInt8(ascii: ":")] + Self.twoDigits(parts.tm_sec) + [UInt8(ascii: ".")]
        }
        return Self.withText(localPrefix, time.microseconds, suffix: nil, body)
    }

    /// RFC 3339 in UTC with microseconds: `2026-11-27T09:02:00.123456Z`.
    public mutating func withRFC3339<R>(_ time: Timestamp, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if time.seconds != utcSecond {
            utcSecond = time.seconds
            let parts = Self.calendar(time.seconds, local: false)
            utcPrefix = Array(String(parts.tm_year + 1900).utf8) + [UInt8(ascii: "-")] + Self.twoDigits(parts.tm_mon + 1)
                + [UInt8(ascii: "-")] + Self.twoDigits(parts.tm_mday) + [UInt8(ascii: "T")] + Self.twoDigits(parts.tm_hour)
                + [UInt8(ascii: ":")] + Self.twoDigits(parts.tm_min) + [UInt8(ascii: ":")] + Self.twoDigits(parts.tm_sec)
                + [UInt8(ascii: ".")]
        }
        return Self.withText(utcPrefix, time.microseconds, suffix: UInt8(ascii: "Z"), body)
    }

    public mutating func local(_ time: Timestamp) -> String {
        withLocal(time) { String(decoding: $0, as: UTF8.self) }
    }

    public mutating func rfc3339(_ time: Timestamp) -> String {
        withRFC3339(time) { String(decoding: $0, as: UTF8.self) }
    }

    private static func calendar(_ seconds: Int, local: Bool) -> tm {
        var value = time_t(seconds)
        var parts = tm()
        if local { localtime_r(&value, &parts) } else { gmtime_r(&value, &parts) }
        return parts
    }

    private static func twoDigits(_ value: Int32) -> [UInt8] {
        [UInt8(ascii: "0") + UInt8(value / 10 % 10), UInt8(ascii: "0") + UInt8(value % 10)]
    }

    /// `prefix`, six digits of microseconds, then `suffix`, in one stack buffer.
    private static func withText<R>(_ prefix: [UInt8], _ microseconds: Int, suffix: UInt8?,
                                    _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.count + 7) { buffer in
            _ = buffer.initialize(from: prefix)
            var rest = Swift.min(Swift.max(microseconds, 0), 999_999)
            for index in stride(from: prefix.count + 5, through: prefix.count, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            var count = prefix.count + 6
            if let suffix {
                buffer[count] = suffix
                count += 1
            }
            return body(UnsafeBufferPointer(start: buffer.baseAddress, count: count))
        }
    }
}
