import Rendering

/// The summary every server prints when it stops, as text and as a JSON line.
public enum ServerSummaryReport {
    public static func text(_ summary: ServerSummary, bytesWere verb: String) -> String {
        "served \(grouped(summary.connections)) connection\(summary.connections == 1 ? "" : "s") "
            + "(peak \(grouped(summary.peakConcurrent)) at once), \(grouped(summary.bytes)) bytes \(verb) "
            + "in \(DurationText.format(summary.elapsed))"
            + (summary.rejected > 0 ? "; \(grouped(summary.rejected)) rejected" : "")
            + (summary.closedAtShutdown > 0 ? "; \(summary.closedAtShutdown) still open after the grace period, closed" : "")
    }

    public static func json(_ summary: ServerSummary) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record("summary")
        json.key("connections"); json.int(summary.connections)
        json.key("peak_concurrent"); json.int(summary.peakConcurrent)
        json.key("bytes"); json.int(summary.bytes)
        json.key("rejected"); json.int(summary.rejected)
        json.key("closed_at_shutdown"); json.int(summary.closedAtShutdown)
        json.key("duration_ms"); json.unescapedNumber(fixed(summary.elapsed.seconds * 1000, 3))
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
