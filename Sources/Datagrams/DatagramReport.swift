import Endpoints
import Rendering

/// `udp-recv` / `udp-send` output: human lines and JSON Lines.
public enum DatagramReport {
    public static func text(_ datagram: ReceivedDatagram, forceHex: Bool) -> String {
        var head = "#\(datagram.sequence) \(datagram.size) byte\(datagram.size == 1 ? "" : "s") from \(datagram.from)"
        if let to = datagram.to { head += " to \(to)" }
        if let interface = datagram.interface { head += " on \(interface)" }
        if datagram.truncated { head += " (truncated)" }
        return head + "\n" + payload(datagram.bytes, forceHex: forceHex) + "\n"
    }

    /// A payload as text when it is text, on one line with CR, LF and other controls escaped
    /// (so a datagram cannot forge a `#N … from …` line), else as a hex dump.
    public static func payload(_ bytes: [UInt8], forceHex: Bool) -> String {
        if !forceHex, let text = printableText(bytes) { return TerminalText.escape(text) }
        return Hexdump.render(bytes)
    }

    public static func json(_ datagram: ReceivedDatagram, event: StaticString = "datagram") -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record(event)
        json.key("seq"); json.int(datagram.sequence)
        json.key("from"); json.string(datagram.from.description)
        json.key("to"); json.optionalString(datagram.to?.description)
        json.key("interface"); json.optionalString(datagram.interface)
        let bytes = datagram.bytes
        json.key("bytes"); json.int(bytes.count)
        json.key("truncated"); json.bool(datagram.truncated)
        json.key("text"); json.optionalString(printableText(bytes))
        json.key("hex"); json.string(Hexdump.hexString(bytes))
        json.endObject()
        json.endLine()
        return json.bytes
    }

    public static func text(_ summary: ReceiveSummary) -> String {
        "received \(summary.datagrams) datagram\(summary.datagrams == 1 ? "" : "s"), \(summary.bytes) bytes from \(summary.senders.count) "
            + "sender\(summary.senders.count == 1 ? "" : "s") in \(DurationText.format(summary.elapsed))"
            + (summary.datagrams > 1 ? " (\(fixed(summary.rate, 1)) datagrams/s from first to last)" : "")
            + (summary.timedOut ? "; stopped after the idle timeout" : "")
            + (summary.kernelDrops.map { $0 > 0 ? "; the kernel dropped \($0) packet\($0 == 1 ? "" : "s"), receive buffer full "
                + "(a group of GSO datagrams counts as one)" : "" } ?? "")
    }

    public static func json(_ summary: ReceiveSummary) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record("summary")
        json.key("datagrams"); json.int(summary.datagrams)
        json.key("bytes"); json.int(summary.bytes)
        json.key("senders"); json.int(summary.senders.count)
        json.key("seconds"); json.unescapedNumber(fixed(summary.elapsed.seconds, 6))
        json.key("active_seconds"); json.unescapedNumber(fixed(summary.activeTime.seconds, 6))
        json.key("datagrams_per_sec"); json.unescapedNumber(fixed(summary.rate, 1))
        json.key("timed_out"); json.bool(summary.timedOut)
        json.key("kernel_drops")
        if let drops = summary.kernelDrops { json.int(drops) } else { json.null() }
        json.endObject()
        json.endLine()
        return json.bytes
    }

    public static func text(_ summary: SendSummary) -> String {
        "sent \(summary.datagrams) datagram\(summary.datagrams == 1 ? "" : "s"), \(summary.bytes) bytes to \(summary.destination)"
            + (summary.source.map { " from \($0)" } ?? "") + " in \(DurationText.format(summary.elapsed))"
            + (summary.datagrams > 1 ? " (\(fixed(summary.rate, 1)) datagrams/s)" : "")
            + (summary.replies > 0 ? "; \(summary.replies) repl\(summary.replies == 1 ? "y" : "ies")" : "")
    }

    public static func json(_ summary: SendSummary) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record("summary")
        json.key("to"); json.string(summary.destination.description)
        json.key("from"); json.optionalString(summary.source?.description)
        json.key("datagrams"); json.int(summary.datagrams)
        json.key("bytes"); json.int(summary.bytes)
        json.key("replies"); json.int(summary.replies)
        json.key("seconds"); json.unescapedNumber(fixed(summary.elapsed.seconds, 6))
        json.key("datagrams_per_sec"); json.unescapedNumber(fixed(summary.rate, 1))
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
