/// The validators a server gives for a file version, and the If-Range check (RFC 9110 §8.8,
/// §13.1.5). Pure.
public enum Validators {
    /// A strong entity tag: it changes whenever the file is replaced (inode), resized or
    /// written (modification time to the nanosecond).
    public static func entityTag(for info: FileInfo) -> String {
        "\"\(String(info.inode, radix: 16))-\(String(info.size, radix: 16))-"
            + "\(String(info.modifiedSeconds, radix: 16))\(String(info.modifiedNanoseconds, radix: 16))\""
    }

    /// Whether a Range may be honoured: an If-Range naming the current version (a strong entity
    /// tag equal to ours, or exactly our Last-Modified date) lets it through; anything else means
    /// the client holds another version, which gets the whole file.
    public static func ifRangeMatches(_ value: String?, entityTag: String, lastModified: String) -> Bool {
        guard let value = value.map({ String($0.trimmingSpaces) }) else { return true }
        if value.hasPrefix("W/") { return false }
        if value.hasPrefix("\"") { return value == entityTag }
        return value == lastModified
    }
}

/// HTTP dates (IMF-fixdate, RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`. Pure.
public enum HTTPDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(secondsSinceEpoch seconds: Int) -> String {
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - day * 86_400
        let (year, month, dayOfMonth) = civil(fromDays: day)
        let weekday = days[((day % 7) + 7) % 7]
        return "\(weekday), \(two(dayOfMonth)) \(months[month - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
