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
        return JSONLine.object { json in
            json.record(event)
            json.field("seq", datagram.sequence)
            json.field("from", datagram.from.description)
            json.field("to", datagram.to?.description)
            json.field("interface", datagram.interface)
            let bytes = datagram.bytes
            json.field("bytes", bytes.count)
            json.field("truncated", datagram.truncated)
            json.field("text", printableText(bytes))
            json.field("hex", Hexdump.hexString(bytes))
        }
    }

    public static func text(_ summary: ReceiveSummary) -> String {
        let senders = summary.senders.added
        let head = "received \(grouped(summary.datagrams)) datagram\(summary.datagrams == 1 ? "" : "s"), \(grouped(summary.bytes)) bytes "
            + "from \(grouped(senders)) sender\(senders == 1 ? "" : "s") in \(DurationText.format(summary.elapsed))"
        let rate = summary.datagrams > 1 ? " (\(grouped(Int(summary.rate.rounded()))) datagrams/s from first to last)" : ""
        var text = head + rate + (summary.timedOut ? "; stopped after the idle timeout" : "")
        if let drops = summary.kernelDrops, drops > 0 {
            text += "; the kernel dropped \(grouped(Int(clamping: drops))) packet\(drops == 1 ? "" : "s"), receive buffer full (a group of GSO datagrams counts as one)"
        }
        if summary.senders.evicted > 0 {
            text += "; the sender table holds \(grouped(summary.senders.count)), \(grouped(summary.senders.evicted)) "
                + "forgotten (--table-limit; a forgotten sender that comes back is counted again)"
        }
        return text + (summary.numbering.map { "\n" + numberingText($0) } ?? "")
    }

    /// The one alert of a run whose sender table filled up.
    public static func text(_ alert: TableFull) -> String { "alert: " + alert.message }

    public static func json(_ alert: TableFull) -> [UInt8] {
        JSONLine.record("alert") { json in
            json.field("alert", "table-full")
            json.field("limit", alert.limit)
            json.field("forgotten", alert.forgotten.description)
            json.field("message", alert.message)
        }
    }

    /// `--numbered`: how many of the sender's datagrams came, and which did not.
    static func numberingText(_ tracker: SequenceTracker) -> String {
        guard tracker.total > 0 else { return "numbered: no datagram carried a #N/TOTAL number (send with udp-send --numbered)" }
        var text = "numbered: \(grouped(tracker.received)) of \(grouped(tracker.total)) arrived"
        let missing = tracker.missing
        text += missing.isEmpty ? ", none missing" : "; missing \(grouped(tracker.missingCount)): \(SequenceTracker.describe(missing))"
        if tracker.outOfOrder > 0 { text += "; \(grouped(tracker.outOfOrder)) out of order" }
        if tracker.duplicates > 0 { text += "; \(grouped(tracker.duplicates)) duplicate\(tracker.duplicates == 1 ? "" : "s")" }
        if tracker.unnumbered > 0 { text += "; \(grouped(tracker.unnumbered)) without a number" }
        if tracker.conflicting > 0 {
            text += "; \(grouped(tracker.conflicting)) announced a total other than \(grouped(tracker.total)), the first one seen (not counted)"
        }
        return text
    }

    public static func json(_ summary: ReceiveSummary) -> [UInt8] {
        return JSONLine.record("summary") { json in
            json.field("datagrams", summary.datagrams)
            json.field("bytes", summary.bytes)
            json.field("senders", summary.senders.added)
            // Senders the table forgot (--table-limit), least recently seen first.
            json.field("table_evicted", summary.senders.evicted)
            json.field("seconds", summary.elapsed.seconds, digits: 6)
            json.field("active_seconds", summary.activeTime.seconds, digits: 6)
            json.field("datagrams_per_sec", summary.rate, digits: 1)
            json.field("timed_out", summary.timedOut)
            json.key("kernel_drops")
            if let drops = summary.kernelDrops { json.int(drops) } else { json.null() }
            if let tracker = summary.numbering {
                json.key("numbered")
                json.beginObject()
                json.field("total", tracker.total)
                json.field("received", tracker.received)
                json.field("missing_count", tracker.missingCount)
                // [first, last] of each run of missing numbers.
                json.array("missing", tracker.missing) { json, range in
                    json.beginArray()
                    json.int(range.lowerBound)
                    json.int(range.upperBound)
                    json.endArray()
                }
                json.field("out_of_order", tracker.outOfOrder)
                json.field("duplicates", tracker.duplicates)
                json.field("unnumbered", tracker.unnumbered)
                // Announced another total than the first numbered datagram did.
                json.field("conflicting_total", tracker.conflicting)
                json.endObject()
            }
        }
    }

    public static func text(_ summary: SendSummary) -> String {
        let refusals = summary.portUnreachable.count
        return "sent \(grouped(summary.datagrams)) datagram\(summary.datagrams == 1 ? "" : "s"), \(grouped(summary.bytes)) bytes to \(summary.destination)"
            + (summary.source.map { " from \($0)" } ?? "") + " in \(DurationText.format(summary.elapsed))"
            + (summary.datagrams > 1 ? " (\(grouped(Int(summary.rate.rounded()))) datagrams/s)" : "")
            + (summary.replies > 0 ? "; \(grouped(summary.replies)) repl\(summary.replies == 1 ? "y" : "ies")" : "")
            + (refusals > 0 ? "; \(grouped(refusals)) ICMP port unreachable\(refusals == 1 ? "" : "s") came back" : "")
    }

    /// One ICMP port unreachable udp-send got, as it is noticed.
    public static func text(_ refusal: PortUnreachable, planned: Int) -> String {
        let after = refusal.afterDatagram
        return "ICMP port unreachable after datagram \(grouped(after)) of \(grouped(planned)): nothing listens on \(refusal.destination)/udp"
            + (refusal.sendFailed ? "; a send failed with it and the socket was closed: sending stopped there" : "")
    }

    public static func json(_ refusal: PortUnreachable, planned: Int) -> [UInt8] {
        JSONLine.record("port-unreachable") { json in
            json.field("to", refusal.destination.description)
            json.field("after_datagram", refusal.afterDatagram)
            json.field("of", planned)
            // The kernel handed it to a send, which failed; the socket was closed then.
            json.field("send_failed", refusal.sendFailed)
        }
    }

    public static func json(_ summary: SendSummary) -> [UInt8] {
        return JSONLine.record("summary") { json in
            json.field("to", summary.destination.description)
            json.field("from", summary.source?.description)
            json.field("datagrams", summary.datagrams)
            json.field("bytes", summary.bytes)
            json.field("replies", summary.replies)
            json.field("port_unreachable", summary.portUnreachable.count)
            json.field("seconds", summary.elapsed.seconds, digits: 6)
            json.field("datagrams_per_sec", summary.rate, digits: 1)
        }
    }
}
