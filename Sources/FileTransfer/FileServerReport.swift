import Rendering

/// Text and JSON Lines for `file-server`.
public enum FileServerReport {
    public static func text(_ request: ServedRequest) -> String {
        // Method, path and note carry what the client sent: escaped, so one request is one line.
        "\(request.peer) \(TerminalText.escape(request.method)) \(TerminalText.escape(request.path)) \(request.status) "
            + "\(grouped(request.bytes)) bytes \(DurationText.format(request.duration))"
            + (request.note.map { " (\(TerminalText.escape($0)))" } ?? "") + "\n"
    }

    public static func json(_ request: ServedRequest) -> [UInt8] {
        return JSONLine.record("request") { json in
            json.field("peer", request.peer.description)
            json.field("method", request.method)
            json.field("path", request.path)
            json.field("status", request.status)
            json.field("bytes", request.bytes)
            json.field("duration_ms", milliseconds: request.duration)
            json.field("note", request.note)
        }
    }
}
