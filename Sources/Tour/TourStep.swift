import Rendering

/// The lessons, in the order the tour runs them.
public enum LessonID: String, CaseIterable, Sendable {
    case addresses, ports, udp, tcp, handshake, stream, close, timewait, dualstack, loss, tls, files, wire

    /// A lesson as a person names it: its number in `--list` or its name in any case.
    public init?(named text: String) {
        if let number = Int(text), (1...Self.allCases.count).contains(number) {
            self = Self.allCases[number - 1]
        } else if let lesson = Self(rawValue: text.lowercased()) {
            self = lesson
        } else {
            return nil
        }
    }

    /// Its number in `--list`.
    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }

    public var title: String {
        switch self {
        case .addresses: "Addresses: what kind of address is this?"
        case .ports: "Ports: numbers with a meaning"
        case .udp: "UDP: datagrams without a connection"
        case .tcp: "TCP: a connection, a byte stream, and an orderly close"
        case .handshake: "The handshake and the close, on the wire"
        case .stream: "TCP is a byte stream, not messages"
        case .close: "Close, half-close and reset"
        case .timewait: "Address already in use: TIME_WAIT and SO_REUSEADDR"
        case .dualstack: "One address family or two: 127.0.0.1, ::1 and [::]"
        case .loss: "UDP loses, TCP retransmits"
        case .tls: "TLS: encryption, and who vouches for a certificate"
        case .files: "Files: HTTP with resume, and the raw lesson protocol"
        case .wire: "The wire: ARP and Neighbor Discovery"
        }
    }

    public var summary: String {
        switch self {
        case .addresses: "loopback, private, public and link-local addresses, classified"
        case .ports: "well-known, registered and ephemeral ports, and what listens here now"
        case .udp: "a receiver, datagrams sent to it, one sent where nobody listens (and its ICMP), and a burst of 1,000"
        case .tcp: "an echo server, one round trip (handshake, half-close, close), a 2-second load test"
        case .handshake: "SYN, SYN-ACK, ACK, the data and its ACK, the FINs and TIME_WAIT, captured and drawn as a ladder"
        case .stream: "three writes come out as one read, small reads split a message, lines put the boundaries back"
        case .close: "a half-close still gets its echo; a reset (SO_LINGER 0) loses what was unread"
        case .timewait: "the side that closes first waits in TIME_WAIT; a restart binds only with SO_REUSEADDR"
        case .dualstack: "a server on 127.0.0.1 refuses ::1; [::] takes both families unless IPV6_V6ONLY"
        case .loss: "a path that drops 20%: 1,000 datagrams, about 800 arrive; 1 MiB over TCP, all of it, retransmitted"
        case .tls: "an echo server over TLS, a client that refuses it, the same client trusting it, the key log"
        case .files: "serve a file, download it, resume an interrupted download, verify SHA-256, raw protocol"
        case .wire: "the ARP request/reply and NS/NA the first packet to a new neighbour triggers"
        }
    }
}

/// One step of a lesson: what ran, what it printed, what it means, and whether it went as
/// the lesson expects.
public struct TourStep: Sendable {
    public var lesson: LessonID
    public var number: Int
    public var title: String
    /// The command as a person would type it, when the step runs one.
    public var command: String?
    public var output: [String] = []
    public var explanation: String
    public var ok: Bool
    /// Why the step did not run (no root, a tool missing), if it did not: a skipped step is
    /// neither a success nor a failure.
    public var skipped: String? = nil
    /// Values a script may want (ports, paths, digests), in the order they were set.
    public var facts: [(key: StaticString, value: String)] = []
}

public enum TourReport {
    public static func text(_ step: TourStep) -> String {
        var text = "\n[\(step.lesson.rawValue) \(step.number)] \(step.title)\n"
        if let command = step.command { text += "$ \(command)\n" }
        for line in step.output { text += "  \(line)\n" }
        text += wrap(step.explanation, indent: "  ") + "\n"
        if let reason = step.skipped {
            text += "  -- skipped: \(reason)\n"
        } else if !step.ok {
            text += "  !! this step did not go as expected\n"
        }
        return text
    }

    public static func json(_ step: TourStep) -> [UInt8] {
        return JSONLine.record("step") { json in
            json.field("lesson", step.lesson.rawValue)
            json.field("step", step.number)
            json.field("title", step.title)
            json.field("command", step.command)
            json.array("output", step.output) { json, line in json.string(line) }
            json.field("explanation", step.explanation)
            // A skipped step has no verdict: it says so and why, instead of "ok".
            if let reason = step.skipped {
                json.field("skipped", true)
                json.field("reason", reason)
            } else {
                json.field("ok", step.ok)
                json.field("skipped", false)
            }
            json.key("facts")
            json.beginObject()
            for fact in step.facts {
                json.key(fact.key)
                json.string(fact.value)
            }
            json.endObject()
        }
    }

    public static func summaryJSON(lessons: Int, steps: Int, failed: Int, skipped: Int) -> [UInt8] {
        return JSONLine.record("summary") { json in
            json.field("lessons", lessons)
            json.field("steps", steps)
            json.field("failed", failed)
            json.field("skipped", skipped)
        }
    }

    /// `--list --json`: one record per lesson.
    public static func listJSON() -> [UInt8] {
        LessonID.allCases.flatMap { lesson in
            JSONLine.record("lesson") { json in
                json.field("number", lesson.number)
                json.field("name", lesson.rawValue)
                json.field("title", lesson.title)
                json.field("summary", lesson.summary)
            }
        }
    }

    public static func heading(_ lesson: LessonID, index: Int, of count: Int) -> String {
        let title = "Lesson \(index)/\(count): \(lesson.title)"
        return "\n" + title + "\n" + String(repeating: "=", count: title.count) + "\n"
    }

    /// Lines of at most 96 columns.
    static func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 96 && line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == indent ? "" : " ") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
