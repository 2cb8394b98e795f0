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
        var json = JSONLine()
        json.beginObject()
        json.record("request")
        json.key("peer"); json.string(request.peer.description)
        json.key("method"); json.string(request.method)
        json.key("path"); json.string(request.path)
        json.key("status"); json.int(request.status)
        json.key("bytes"); json.int(request.bytes)
        json.key("duration_ms"); json.unescapedNumber(fixed(request.duration.seconds * 1000, 3))
        json.key("note"); json.optionalString(request.note)
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
