import Addresses
import Packets
import Rendering

/// A TCP connection drawn as the sequence diagram textbooks draw: the client on the left, the
/// server on the right, one arrow per segment with its flags, relative numbers and length, each
/// side's state where it changes, analysis marks on their arrows, and for a learner what the
/// handshake's and the close's segments are for.
public struct Ladder {
    static let arrowWidth = 46
    static let stateWidth = 12
    private var lastTime: [Int: Double] = [:]

    public init() {}

    /// The rows for one segment: a heading first when the connection is new.
    public mutating func rows(_ observation: TCPObservation, _ segment: TCPSegment, time: Double) -> String {
        var text = ""
        let id = observation.connection
        if lastTime[id] == nil {
            text += "\nconnection #\(id): client \(observation.client), server \(observation.server)\n"
            text += "  " + pad("+ms", 9) + pad("client", Self.stateWidth) + String(repeating: " ", count: Self.arrowWidth + 2) + "server\n"
            if observation.step == .handshake(1) {
                text += "  " + pad("", 9) + pad("CLOSED", Self.stateWidth) + String(repeating: " ", count: Self.arrowWidth + 2) + "LISTEN\n"
            }
        }
        let delta = time - (lastTime[id] ?? time)
        lastTime[id] = time
        let left = observation.clientStateChanged ? observation.clientState.rawValue : ""
        let right = observation.serverStateChanged ? observation.serverState.rawValue : ""
        // Rows of several connections interleave: each then says whose it is.
        let owner = lastTime.count > 1 ? "#\(id) " : ""
        var row = "  " + owner + pad(fixed(delta * 1000, 3), 9) + pad(left, Self.stateWidth)
            + Self.arrow(Self.label(segment, observation.annotation), toServer: observation.side == .client)
            + "  " + pad(right, Self.stateWidth)
        if let note = observation.step.note(from: observation.side) { row += "  " + note }
        if !observation.annotation.marks.isEmpty { row += "  !! " + Self.markWords(observation.annotation.marks) }
        return text + row + "\n"
    }

    /// `SYN, ACK seq 0 ack 1`, `PSH, ACK seq 1:6 ack 1 len 5`.
    static func label(_ segment: TCPSegment, _ annotation: TCPAnnotation) -> String {
        var names: [String] = []
        for entry in TCPFlags.named where segment.flags.contains(entry.flag) { names.append("\(entry.name)") }
        var label = names.joined(separator: ", ")
        let length = segment.payloadLength
        if length > 0 {
            label += " seq \(annotation.sequence):\(annotation.sequence &+ UInt32(truncatingIfNeeded: length))"
        } else if !segment.flags.isDisjoint(with: [.syn, .fin, .rst]) {
            label += " seq \(annotation.sequence)"
        }
        if segment.flags.contains(.ack) { label += " ack \(annotation.acknowledgment)" }
        if length > 0 { label += " len \(length)" }
        return label
    }

    static func arrow(_ label: String, toServer: Bool) -> String {
        let body = " \(label) "
        let dashes = max(4, arrowWidth - body.count - 3)
        let lead = String(repeating: "─", count: 2)
        return toServer ? lead + body + String(repeating: "─", count: dashes) + "▶"
                        : "◀─" + body + String(repeating: "─", count: dashes + 1)
    }

    static func markWords(_ marks: TCPAnalysisMarks) -> String {
        TCPAnalysisMarks.named.filter { marks.contains($0.mark) }.map { "\($0.words)" }.joined(separator: ", ")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// The same row as a JSON record, its time written as packet records write theirs (RFC 3339).
    public static func json(_ observation: TCPObservation, _ segment: TCPSegment, time: Timestamp, clock: inout TimestampFormatter,
                            to out: inout JSONLine) {
        out.beginObject()
        out.record("ladder")
        out.field("connection", observation.connection)
        out.key("time")
        clock.withRFC3339(time) { out.unescapedString($0) }
        out.field("from", observation.side.rawValue)
        out.field("label", label(segment, observation.annotation))
        out.field("seq", observation.annotation.sequence)
        out.field("ack", observation.annotation.acknowledgment)
        out.field("length", segment.payloadLength)
        out.field("client_state", observation.clientState.rawValue)
        out.field("server_state", observation.serverState.rawValue)
        out.field("client_state_changed", observation.clientStateChanged)
        out.field("server_state_changed", observation.serverStateChanged)
        out.field("note", observation.step.note(from: observation.side))
        out.array("analysis", TCPAnalysisMarks.named.filter { observation.annotation.marks.contains($0.mark) }) { out, entry in
            out.string(entry.key)
        }
        out.endObject()
        out.endLine()
    }
}
