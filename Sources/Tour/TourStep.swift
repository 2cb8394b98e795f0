import Rendering

/// The lessons, in the order the tour runs them.
public enum LessonID: String, CaseIterable, Sendable {
    case addresses, ports, udp, tcp, tls, files, wire

    public var title: String {
        switch self {
        case .addresses: "Addresses: what kind of address is this?"
        case .ports: "Ports: numbers with a meaning"
        case .udp: "UDP: datagrams without a connection"
        case .tcp: "TCP: a connection, a byte stream, and an orderly close"
        case .tls: "TLS: encryption, and who vouches for a certificate"
        case .files: "Files: HTTP with resume, and the raw lesson protocol"
        case .wire: "The wire: ARP and Neighbor Discovery"
        }
    }

    public var summary: String {
        switch self {
        case .addresses: "loopback, private, public and link-local addresses, classified"
        case .ports: "well-known, registered and ephemeral ports, and what listens here now"
        case .udp: "a receiver, datagrams sent to it, one sent where nobody listens, and a burst of 1,000"
        case .tcp: "an echo server, one round trip (handshake, half-close, close), a 2-second load test"
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
    /// Values a script may want (ports, paths, digests), in the order they were set.
    public var facts: [(key: StaticString, value: String)] = []
}

public enum TourReport {
    public static func text(_ step: TourStep) -> String {
        var text = "\n[\(step.lesson.rawValue) \(step.number)] \(step.title)\n"
        if let command = step.command { text += "$ \(command)\n" }
        for line in step.output { text += "  \(line)\n" }
        text += wrap(step.explanation, indent: "  ") + "\n"
        if !step.ok { text += "  !! this step did not go as expected\n" }
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
            json.field("ok", step.ok)
            json.key("facts")
            json.beginObject()
            for fact in step.facts {
                json.key(fact.key)
                json.string(fact.value)
            }
            json.endObject()
        }
    }

    public static func summaryJSON(lessons: Int, steps: Int, failed: Int) -> [UInt8] {
        return JSONLine.record("summary") { json in
            json.field("lessons", lessons)
            json.field("steps", steps)
            json.field("failed", failed)
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
