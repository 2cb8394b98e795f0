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
        return JSONLine.record("summary") { json in
            json.field("connections", summary.connections)
            json.field("peak_concurrent", summary.peakConcurrent)
            json.field("bytes", summary.bytes)
            json.field("rejected", summary.rejected)
            json.field("closed_at_shutdown", summary.closedAtShutdown)
            json.field("duration_ms", milliseconds: summary.elapsed)
        }
    }
}
