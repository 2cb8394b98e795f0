import Endpoints

/// The part of the one exit table (`ExitStatus`) a command's `--help` shows: only the statuses
/// that command can end with, each meaning wrapped under its own column.
enum ExitHelp {
    static func text(_ statuses: ExitStatus...) -> String {
        "Exit status:\n" + statuses.map { status in
            wrapped(status.meaning, width: 74).enumerated().map { index, line in
                (index == 0 ? "  \(status.rawValue)  " : "     ") + line
            }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// ArgumentParser wraps a long line at the terminal's edge without its indent: wrap first.
    private static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + [line]
    }

    /// Servers and receivers: they bind and listen; nothing they do connects out.
    static let server = text(.success, .failure, .usage)
    /// Commands that need no peer: they read arguments, stdin, files or an interface.
    static let local = text(.success, .failure, .usage)
    /// Clients over TCP, with or without TLS.
    static let tcpClient = text(.success, .failure, .usage, .resolution, .refused, .timedOut, .unreachable, .closedEarly, .tls)
}
