/// Durations as people read and type them: `2s`, `300ms`, `1.234 s`.
public enum DurationText {
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
    let digits = String(value.magnitude)
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return (value < 0 ? "-" : "") + text
}
