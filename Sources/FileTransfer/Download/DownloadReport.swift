import Rendering

/// What `download` prints. Pure.
public enum DownloadReport {
    public static func progressLine(_ progress: DownloadProgress) -> String {
        let seconds = progress.elapsed.seconds
        let rate = seconds > 0 ? Double(progress.bytes) / seconds : 0
        var line = "  " + ByteText.size(progress.bytes)
        if let total = progress.total, total > 0 {
            line += " / " + ByteText.size(total) + "  " + fixed(Double(progress.bytes) * 100 / Double(total), 0) + "%"
            if rate > 0 { line += "  ETA " + DurationText.remaining(.seconds(Double(total - progress.bytes) / rate)) }
        }
        return line + "  " + ByteText.rate(rate)
    }

    public static func text(_ result: DownloadResult) -> String {
        let rate = result.elapsed.seconds > 0 ? Double(result.transferred) / result.elapsed.seconds : 0
        return "saved \(TerminalText.escape(result.path)): \(grouped(result.bytes)) bytes"
            + (result.resumedFrom > 0 ? " (\(grouped(result.transferred)) fetched, resumed at \(grouped(result.resumedFrom)))" : "")
            + " in \(DurationText.format(result.elapsed)), \(ByteText.rate(rate))\n"
            + "sha256 \(Hexdump.hexString(result.sha256))" + (result.serverDigestChecked ? " (matches the server's Repr-Digest)" : "")
    }

    public static func json(_ result: DownloadResult) -> [UInt8] {
        return JSONLine.object { json in
            json.field("path", result.path)
            json.field("bytes", result.bytes)
            json.field("transferred", result.transferred)
            json.field("resumed_from", result.resumedFrom)
            json.field("seconds", result.elapsed.seconds, digits: 6)
            json.field("sha256", Hexdump.hexString(result.sha256))
            json.field("server_digest_checked", result.serverDigestChecked)
        }
    }
}

/// Hands the progress callback the bytes so far, at most ten times a second.
struct ProgressTicker {
    let total: Int?
    let started: ContinuousClock.Instant
    let report: @Sendable (DownloadProgress) -> Void
    private var last = ContinuousClock.now

    init(total: Int?, started: ContinuousClock.Instant, report: @escaping @Sendable (DownloadProgress) -> Void) {
        self.total = total
        self.started = started
        self.report = report
    }

    mutating func tick(_ bytes: Int) {
        let now = ContinuousClock.now
        guard now - last >= .milliseconds(100) else { return }
        last = now
        report(DownloadProgress(bytes: bytes, total: total, elapsed: now - started))
    }
}
