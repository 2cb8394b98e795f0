import Endpoints
import Rendering

/// Text and JSON Lines for everything the TCP echo commands print.
public enum EchoReport {
    public static func text(_ event: ServerEvent) -> String {
        switch event {
        case .opened(let id, let peer, let open):
            return "#\(id) connected    \(peer) (\(open) open)\n"
        case .closed(let id, let peer, let bytes, let duration, let reason):
            return "#\(id) disconnected \(peer): \(reason.rawValue) after \(DurationText.format(duration)), \(grouped(bytes)) bytes echoed\n"
        case .rejected(let peer, let limit):
            return "rejected        \(peer): already \(limit) connections open (--max-connections \(limit)); closed at once\n"
        }
    }

    public static func json(_ event: ServerEvent) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        switch event {
        case .opened(let id, let peer, let open):
            json.record("open")
            json.key("id"); json.int(id)
            json.key("peer"); json.string(peer.description)
            json.key("open_connections"); json.int(open)
        case .closed(let id, let peer, let bytes, let duration, let reason):
            json.record("close")
            json.key("id"); json.int(id)
            json.key("peer"); json.string(peer.description)
            json.key("bytes"); json.int(bytes)
            json.key("duration_ms"); json.unescapedNumber(fixed(duration.seconds * 1000, 3))
            json.key("reason"); json.string(reason.rawValue)
        case .rejected(let peer, let limit):
            json.record("rejected")
            json.key("peer"); json.string(peer.description)
            json.key("max_connections"); json.int(limit)
        }
        json.endObject()
        json.endLine()
        return json.bytes
    }

    /// The echo as stdout shows it: whatever the server sent back, it cannot drive the
    /// terminal; ends with a newline.
    public static func echo(_ trip: RoundTrip) -> String {
        let text = TerminalText.escape(bytes: trip.echo, keepLineBreaks: true)
        return text + (text.hasSuffix("\n") ? "" : "\n")
    }

    public static func text(_ trip: RoundTrip) -> String {
        "echo from \(trip.server) matches: \(grouped(trip.sent)) bytes, round trip \(DurationText.format(trip.roundTripTime)) "
            + "(connect \(DurationText.format(trip.connectTime)), from \(trip.local))"
    }

    public static func json(_ trip: RoundTrip, matches: Bool) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.key("server"); json.string(trip.server.description)
        json.key("local"); json.string(trip.local.description)
        json.key("sent"); json.int(trip.sent)
        json.key("echoed"); json.int(trip.echo.count)
        json.key("match"); json.bool(matches)
        json.key("text"); json.optionalString(printableText(trip.echo))
        json.key("hex"); json.string(Hexdump.hexString(trip.echo))
        json.key("connect_ms"); json.unescapedNumber(fixed(trip.connectTime.seconds * 1000, 3))
        json.key("rtt_ms"); json.unescapedNumber(fixed(trip.roundTripTime.seconds * 1000, 3))
        json.endObject()
        json.endLine()
        return json.bytes
    }

    public static func text(_ session: SessionSummary) -> String {
        "\(grouped(session.sent)) bytes sent to \(session.server), \(grouped(session.received)) echoed, in \(DurationText.format(session.elapsed))"
    }

    public static func json(_ session: SessionSummary) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record("summary")
        json.key("server"); json.string(session.server.description)
        json.key("sent"); json.int(session.sent)
        json.key("echoed"); json.int(session.received)
        json.key("duration_ms"); json.unescapedNumber(fixed(session.elapsed.seconds * 1000, 3))
        json.endObject()
        json.endLine()
        return json.bytes
    }

    /// The once-a-second progress line of a load test: elapsed time, messages, rate, errors.
    public static func progressLine(_ progress: LoadProgress) -> String {
        "  \(fixed(progress.elapsed.seconds, 0)) s  \(grouped(progress.messages)) messages  "
            + "\(grouped(Int(progress.messagesPerSecond))) msg/s  errors \(progress.errors)"
    }

    public static func text(_ report: LoadReport) -> String {
        let latency = report.latency
        var lines = [
            "load test of \(report.server): \(grouped(report.connections)) connection\(report.connections == 1 ? "" : "s"), "
                + "\(grouped(report.size))-byte messages, "
                + (report.pipeline == 1 ? "ping-pong" : "\(report.pipeline) in flight per connection")
                + ", \(DurationText.format(report.elapsed))",
            "  messages    \(grouped(report.messages))  (\(grouped(Int(report.messagesPerSecond.rounded()))) msg/s)",
            "  throughput  \(fixed(report.megabytesPerSecond, 2)) MB/s echoed, every byte verified",
            "  latency µs  p50 \(fixed(latency.p50, 1))  p90 \(fixed(latency.p90, 1))  p99 \(fixed(latency.p99, 1))  "
                + "p99.9 \(fixed(latency.p999, 1))  max \(fixed(latency.max, 1))",
            "  errors      \(grouped(report.errors))"
                + (report.failedConnections > 0 ? " (\(report.failedConnections) connections failed to open)" : ""),
        ]
        lines += report.errorSamples.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }

    public static func json(_ report: LoadReport) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.key("connections"); json.int(report.connections)
        json.key("failed_connections"); json.int(report.failedConnections)
        json.key("size"); json.int(report.size)
        json.key("pipeline"); json.int(report.pipeline)
        json.key("messages"); json.int(report.messages)
        json.key("bytes"); json.int(report.bytes)
        json.key("seconds"); json.unescapedNumber(fixed(report.elapsed.seconds, 6))
        json.key("msgs_per_sec"); json.unescapedNumber(fixed(report.messagesPerSecond, 1))
        json.key("mb_per_sec"); json.unescapedNumber(fixed(report.megabytesPerSecond, 3))
        json.key("latency_us")
        json.beginObject()
        let latency = report.latency
        let percentiles: [(StaticString, Double)] = [("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p999", latency.p999),
                                                     ("max", latency.max), ("mean", latency.mean)]
        for (key, value) in percentiles {
            json.key(key); json.unescapedNumber(fixed(value, 1))
        }
        json.endObject()
        json.key("errors"); json.int(report.errors)
        json.key("error_samples")
        json.beginArray()
        for sample in report.errorSamples { json.string(sample) }
        json.endArray()
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
