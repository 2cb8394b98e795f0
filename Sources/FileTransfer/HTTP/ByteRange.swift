/// A `Range` request header against a representation of `size` bytes (RFC 9110 §14.1.2), one
/// range only. Pure.
public enum RangeRequest: Equatable, Sendable {
    /// No usable Range header: send the whole representation with 200. A syntactically invalid
    /// header and several ranges at once land here too; RFC 9110 lets a server ignore them.
    case whole
    /// Send these bytes with 206 and `Content-Range: bytes first-last/size`.
    case partial(ClosedRange<Int>)
    /// No byte of the representation is in range: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    public static func parse(_ header: String?, size: Int) -> RangeRequest {
        guard let header else { return .whole }
        let trimmed = header.trimmingSpaces
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst(6).trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingSpaces, last = spec[spec.index(after: dash)...].trimmingSpaces
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), !(first.isEmpty && last.isEmpty) else {
            return .whole
        }
        // Numbers too large for an Int are as good as infinite: past the end of any file.
        let start = first.isEmpty ? nil : Int(first) ?? .max
        let end = last.isEmpty ? nil : Int(last) ?? .max
        guard let start else {
            // bytes=-N: the last N bytes.
            guard let suffix = end, suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        }
        if let end, end < start { return .whole }
        guard start < size else { return .unsatisfiable }
        return .partial(start...min(end ?? size - 1, size - 1))
    }
}

/// `Content-Range` values (RFC 9110 §14.4), made and read. Pure.
public enum ContentRange {
    public static func header(_ range: ClosedRange<Int>, size: Int) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
    }

    public static func unsatisfiedHeader(size: Int) -> String { "bytes */\(size)" }

    /// `bytes 100-199/1000` → (100...199, 1000); the size is nil for `*`. Nil when malformed.
    public static func parse(_ value: String) -> (range: ClosedRange<Int>, size: Int?)? {
        let text = value.trimmingSpaces
        guard text.lowercased().hasPrefix("bytes "), let slash = text.firstIndex(of: "/") else { return nil }
        let span = text[text.index(text.startIndex, offsetBy: 6)..<slash].trimmingSpaces
        let total = text[text.index(after: slash)...].trimmingSpaces
        let bounds = span.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0, last >= first else { return nil }
        if total == "*" { return (first...last, nil) }
        guard let size = Int(total), last < size else { return nil }
        return (first...last, size)
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let view = self[...]
        let start = view.firstIndex { $0 != " " && $0 != "\t" } ?? view.endIndex
        let end = view.lastIndex { $0 != " " && $0 != "\t" }.map { view.index(after: $0) } ?? start
        return Substring(view[start..<Swift.max(start, end)])
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
