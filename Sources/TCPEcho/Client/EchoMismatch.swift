import Rendering

/// Describes how an echo differs from what was sent, diff-style: the first differing byte,
/// then both sides around it (as text when printable, else hex). Pure; nil when they match.
public enum EchoMismatch {
    public static func describe(sent: [UInt8], echo: [UInt8]) -> String? {
        guard sent != echo else { return nil }
        let common = zip(sent, echo).prefix { $0 == $1 }.count
        let from = max(0, common - 16)
        let what = common < min(sent.count, echo.count)
            ? "the echo differs from what was sent at byte \(common) (of \(sent.count))"
            : echo.count > sent.count ? "the echo has \(echo.count - sent.count) bytes more than were sent"
            : "the echo has \(sent.count - echo.count) bytes fewer than were sent"
        return """
            \(what):
            - sent: \(excerpt(sent, from: from))
            + echo: \(excerpt(echo, from: from))
            """
    }

    private static func excerpt(_ bytes: [UInt8], from: Int) -> String {
        let end = min(bytes.count, from + 48)
        guard from < end else { return "(nothing)" }
        let slice = Array(bytes[from..<end])
        let prefix = from > 0 ? "…" : "", suffix = end < bytes.count ? "…" : ""
        if let text = printableText(slice) { return prefix + "\"" + TerminalText.escape(text) + "\"" + suffix }
        return prefix + slice.map { Hexdump.hexString([$0]) }.joined(separator: " ") + suffix + " (hex, from byte \(from))"
    }
}
