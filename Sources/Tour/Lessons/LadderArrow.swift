import Flows
import Packets

/// One arrow of a connection's ladder, as `capture --ladder --json` records it (or as the
/// tracker sees it when the lesson draws its recorded sample in-process), with its row of the
/// text ladder to show.
struct LadderArrow: Equatable {
    var fromClient: Bool
    var seq: Int
    var ack: Int
    var length: Int
    var clientState: String
    var serverState: String
    var note: String?
    var text = ""

    init?(_ record: JSONValue) {
        guard record["event"]?.string == "ladder", let from = record["from"]?.string, let seq = record["seq"]?.int,
              let ack = record["ack"]?.int, let length = record["length"]?.int,
              let client = record["client_state"]?.string, let server = record["server_state"]?.string else { return nil }
        fromClient = from == "client"
        self.seq = seq
        self.ack = ack
        self.length = length
        clientState = client
        serverState = server
        note = record["note"]?.string
    }

    init(_ observation: TCPObservation, _ segment: TCPSegment) {
        fromClient = observation.side == .client
        seq = Int(observation.annotation.sequence)
        ack = Int(observation.annotation.acknowledgment)
        length = segment.payloadLength
        (clientState, serverState) = (observation.clientState.rawValue, observation.serverState.rawValue)
        note = observation.step.note(from: observation.side)
    }

    /// Gives each arrow its row from the text ladder of the same segments, which ends with one
    /// row per arrow; the heading lines before them are returned.
    static func attach(_ text: String, to arrows: inout [LadderArrow]) -> [String] {
        let all = lines(text)
        guard all.count >= arrows.count else { return all }
        for (index, row) in all.suffix(arrows.count).enumerated() { arrows[index].text = row.trimmingTrailingSpaces() }
        return Array(all.dropLast(arrows.count))
    }

    /// The recorded sample drawn with the same tracker and ladder `capture --ladder` uses; nil
    /// when a frame no longer decodes as the TCP segment it was.
    static func sample() -> (heading: [String], arrows: [LadderArrow])? {
        var tracker = TCPTracker()
        var ladder = Ladder()
        var text = ""
        var arrows: [LadderArrow] = []
        for frame in SampleCapture.handshake {
            let decoded = FrameDecoder.decode(frame.bytes)
            guard decoded.malformed == nil, let packet = decoded.ip, let segment = packet.tcp else { return nil }
            let time = Double(frame.time.seconds) + Double(frame.time.microseconds) / 1e6
            let observation = tracker.observe(segment, source: packet.source, destination: packet.destination, time: time)
            text += ladder.rows(observation, segment, time: time)
            arrows.append(LadderArrow(observation, segment))
        }
        return (attach(text, to: &arrows), arrows)
    }
}

/// What a lesson checks in one connection's arrows: the handshake, the data and its ACK, the close.
struct LadderPhases {
    let arrows: [LadderArrow]

    /// SYN (client in SYN_SENT), SYN-ACK (server in SYN_RECEIVED), ACK (both ESTABLISHED).
    var handshake: ArraySlice<LadderArrow> { arrows.prefix(3) }

    var handshakeComplete: Bool {
        let first = Array(handshake)
        return first.count == 3 && first[0].fromClient && first[0].clientState == "SYN_SENT"
            && !first[1].fromClient && first[1].serverState == "SYN_RECEIVED"
            && first[2].fromClient && first[2].clientState == "ESTABLISHED" && first[2].serverState == "ESTABLISHED"
    }

    /// Where the close starts: the first arrow after which one side is in FIN_WAIT_1.
    var closeStart: Int? { arrows.firstIndex { $0.clientState == "FIN_WAIT_1" || $0.serverState == "FIN_WAIT_1" } }

    /// The arrows between the handshake and the close: the data, the echo, their ACKs.
    var transfer: ArraySlice<LadderArrow> { arrows[min(3, arrows.count)..<(closeStart ?? arrows.count)] }

    /// The client's first data segment and the server's arrow that acknowledges all of it.
    var dataAndAck: (data: LadderArrow, ack: LadderArrow)? {
        guard let index = arrows.firstIndex(where: { $0.fromClient && $0.length > 0 }) else { return nil }
        let data = arrows[index]
        guard let ack = arrows[(index + 1)...].first(where: { !$0.fromClient && $0.ack >= data.seq + data.length }) else { return nil }
        return (data, ack)
    }

    var close: ArraySlice<LadderArrow> { closeStart.map { arrows[$0...] } ?? [] }

    /// "client" or "server": who sent the first FIN.
    var closedFirst: String? { closeStart.map { arrows[$0].clientState == "FIN_WAIT_1" ? "client" : "server" } }

    /// Who ends in TIME_WAIT once the last arrow is on the wire.
    var timeWait: String? {
        guard let last = arrows.last else { return nil }
        return last.clientState == "TIME_WAIT" ? "client" : last.serverState == "TIME_WAIT" ? "server" : nil
    }
}
