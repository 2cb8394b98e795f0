/// Durations as people read and type them: `2s`, `300ms`, `1.234 s`.
public enum DurationText {
    /// `100ms`, `2s`, `1.5s`, `1m`, `250us`, as typed after every `--timeout`-like option; a bare
    /// number is seconds. Nil for anything else, a negative or an absurdly long duration.
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        let (number, scale) = units.first { text.hasSuffix($0.suffix) }
            .map { (String(text.dropLast($0.suffix.count)), $0.nanoseconds) } ?? (text, 1e9)
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 9e18 else { return nil }
        return .nanoseconds(Int64((value * scale).rounded()))
    }

    /// The way a duration is typed: `2s`, `300ms` (whole milliseconds).
    public static func compact(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// `1.234 s`, `12.5 ms`, `850 µs`
    public static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds >= 1 { return fixed(seconds, 3) + " s" }
        if seconds >= 0.001 { return fixed(seconds * 1e3, 1) + " ms" }
        return fixed(seconds * 1e6, 0) + " µs"
    }
}

/// Sizes and rates as nettool prints them, in one unit system: powers of 1024 with their IEC
/// names, the same units sizes are typed in (`--max-size 500M` is 500 MiB).
public enum ByteText {
    /// `512 B`, `1.50 KiB`, `33.6 MiB`, `1.20 GiB`
    public static func size(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return fixed(value, value < 10 ? 2 : 1) + " " + units[unit]
    }

    /// `0 B/s`, `412.5 MiB/s`
    public static func rate(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite, bytesPerSecond >= 0, bytesPerSecond < 9e18 else { return "- B/s" }
        return size(Int(bytesPerSecond)) + "/s"
    }
}

extension DurationText {
    /// A time left, in whole seconds rounded up: `1s`, `59s`, `1m05s`, `2h03m`.
    public static func remaining(_ duration: Duration) -> String {
        let seconds = max(0, Int(duration.seconds.rounded(.up)))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + pad2(seconds % 60) + "s" }
        return "\(seconds / 3600)h" + pad2(seconds / 60 % 60) + "m"
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Fixed-point text with `digits` decimals, without Foundation.
public func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(value) }
    let total = UInt64(scaled), unit = UInt64(scale)
    var text = (value < 0 && total != 0 ? "-" : "") + String(total / unit)
    if digits > 0 {
        let fraction = String(total % unit)
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}

/// `1,234,567`: digits grouped by thousands, for counts people compare at a glance.
public func grouped(_ value: Int) -> String {
    (value < 0 ? "-" : "") + grouped(digits: String(value.magnitude))
}

/// The same for a count held as decimal digits (one too large for Int: 2^128 addresses).
public func grouped(digits: String) -> String {
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return text
}

/// `1000`, `64K`, `500M`, `2G` (powers of 1024): a size as typed; nil unless it is a whole
/// number above 0 that fits.
public func parseByteCount(_ text: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = Substring(text)
    var multiplier = 1
    if let last = digits.last?.uppercased().first, let unit = units[last] {
        multiplier = unit
        digits = digits.dropLast()
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
          let value = Int(digits), value > 0 else { return nil }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : bytes
}
