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
        return JSONLine.object { json in
            switch event {
            case .opened(let id, let peer, let open):
                json.record("open")
                json.field("id", id)
                json.field("peer", peer.description)
                json.field("open_connections", open)
            case .closed(let id, let peer, let bytes, let duration, let reason):
                json.record("close")
                json.field("id", id)
                json.field("peer", peer.description)
                json.field("bytes", bytes)
                json.field("duration_ms", milliseconds: duration)
                json.field("reason", reason.rawValue)
            case .rejected(let peer, let limit):
                json.record("rejected")
                json.field("peer", peer.description)
                json.field("max_connections", limit)
            }
        }
    }

    /// The echo as stdout shows it, on one line: whatever the server sent back, it cannot
    /// drive the terminal or forge a line of its own (a line break inside shows as \n; one at
    /// the end, as --newline sends, ends the line).
    public static func echo(_ trip: RoundTrip) -> String {
        let body = trip.echo.last == UInt8(ascii: "\n") ? trip.echo.dropLast() : trip.echo[...]
        return TerminalText.escape(bytes: body) + "\n"
    }

    public static func text(_ trip: RoundTrip) -> String {
        "echo from \(trip.server) matches: \(grouped(trip.sent)) bytes, round trip \(DurationText.format(trip.roundTripTime)) "
            + "(connect \(DurationText.format(trip.connectTime)), from \(trip.local))"
    }

    public static func json(_ trip: RoundTrip, matches: Bool) -> [UInt8] {
        return JSONLine.object { json in
            json.field("server", trip.server.description)
            json.field("local", trip.local.description)
            json.field("sent", trip.sent)
            json.field("echoed", trip.echo.count)
            json.field("match", matches)
            json.field("text", printableText(trip.echo))
            json.field("hex", Hexdump.hexString(trip.echo))
            json.field("connect_ms", milliseconds: trip.connectTime)
            json.field("rtt_ms", milliseconds: trip.roundTripTime)
        }
    }

    /// `--reset`: what was sent before the abort, and the echo it dropped.
    public static func resetText(server: Endpoint, sent: Int, dropped: Int) -> String {
        "sent \(grouped(sent)) bytes to \(server); \(grouped(dropped)) bytes of echo arrived and were dropped unread: "
            + "the connection was reset (RST), not closed (no FIN)"
    }

    public static func resetJSON(server: Endpoint, sent: Int, dropped: Int) -> [UInt8] {
        return JSONLine.object { json in
            json.field("server", server.description)
            json.field("sent", sent)
            json.field("dropped", dropped)
            json.field("reset", true)
        }
    }

    public static func text(_ session: SessionSummary) -> String {
        "\(grouped(session.sent)) bytes sent to \(session.server), \(grouped(session.received)) echoed, in \(DurationText.format(session.elapsed))"
    }

    public static func json(_ session: SessionSummary) -> [UInt8] {
        return JSONLine.record("summary") { json in
            json.field("server", session.server.description)
            json.field("sent", session.sent)
            json.field("echoed", session.received)
            json.field("duration_ms", milliseconds: session.elapsed)
        }
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
                + (report.reconnect.map { ", a new connection every \($0 == 1 ? "message" : "\(grouped($0)) messages")" } ?? "")
                + ", \(DurationText.format(report.elapsed))",
            "  messages    \(grouped(report.messages))  (\(grouped(Int(report.messagesPerSecond.rounded()))) msg/s)",
            "  throughput  \(ByteText.rate(report.megabytesPerSecond * 1e6)) echoed, every byte verified",
            "  handshakes  \(grouped(report.handshakes))  (\(grouped(Int(report.handshakesPerSecond.rounded())))/s"
                + (report.reconnect == nil ? ", before the clock started" : "") + ")  "
                + "setup µs p50 \(fixed(report.handshakeLatency.p50, 1))  p99 \(fixed(report.handshakeLatency.p99, 1))",
            "  latency µs  p50 \(fixed(latency.p50, 1))  p90 \(fixed(latency.p90, 1))  p99 \(fixed(latency.p99, 1))  "
                + "p99.9 \(fixed(latency.p999, 1))  max \(fixed(latency.max, 1))",
            "  errors      \(grouped(report.errors))"
                + (report.failedConnections > 0 ? " (\(report.failedConnections) connections failed to open)" : ""),
        ]
        lines += report.errorSamples.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }

    public static func json(_ report: LoadReport) -> [UInt8] {
        return JSONLine.object { json in
            json.field("connections", report.connections)
            json.field("failed_connections", report.failedConnections)
            json.field("size", report.size)
            json.field("pipeline", report.pipeline)
            if let reconnect = report.reconnect { json.field("reconnect", reconnect) }
            json.field("messages", report.messages)
            json.field("bytes", report.bytes)
            json.field("seconds", report.elapsed.seconds, digits: 6)
            json.field("msgs_per_sec", report.messagesPerSecond, digits: 1)
            json.field("mb_per_sec", report.megabytesPerSecond, digits: 3)
            json.field("handshakes", report.handshakes)
            json.field("handshakes_per_sec", report.handshakesPerSecond, digits: 1)
            for (key, latency) in [("latency_us", report.latency), ("handshake_us", report.handshakeLatency)] as [(StaticString, LatencySummary)] {
                json.key(key)
                json.beginObject()
                let percentiles: [(StaticString, Double)] = [("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p999", latency.p999),
                                                             ("max", latency.max), ("mean", latency.mean)]
                for (key, value) in percentiles {
                    json.field(key, value, digits: 1)
                }
                json.endObject()
            }
            json.field("errors", report.errors)
            json.array("error_samples", report.errorSamples) { json, sample in json.string(sample) }
        }
    }
}
