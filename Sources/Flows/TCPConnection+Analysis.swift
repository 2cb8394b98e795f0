import Packets

/// tshark's sequence analysis (epan/dissectors/packet-tcp.c, `tcp_analyze_sequence_number`),
/// in its order: each segment is judged against what its direction sent and the other
/// direction acknowledged before it.
extension TCPConnection {
    static func analyse(_ segment: TCPSegment, sender: inout TCPDirection, receiver: inout TCPDirection,
                        time: Double, scaling: Bool, initialRTT: Double?) -> TCPAnalysisMarks {
        let flags = segment.flags
        let (seq, ack, length) = (segment.sequence, segment.acknowledgment, segment.payloadLength)
        let control = flags.contains(.syn) || flags.contains(.fin) || flags.contains(.rst)
        let advance = UInt32(truncatingIfNeeded: length) &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
        if flags.contains(.syn) {
            sender.base = seq
            if let scale = TCPOptionSummary(segment.options).windowScale { sender.windowScale = scale }
        } else if sender.base == nil {
            sender.base = seq &- 1
        }
        if flags.contains(.ack) && receiver.base == nil { receiver.base = ack &- 1 }

        var marks: TCPAnalysisMarks = []
        let next = sender.nextSequence
        let sameAck = ack == sender.lastAck
        let sameWindow = segment.window == sender.lastWindow
        let window = segment.window != 0
        if length == 1, seq == next, receiver.lastWindow == 0 { marks.insert(.zeroWindowProbe) }
        if segment.window == 0 && !control { marks.insert(.zeroWindow) }
        if let next, seqLess(next, seq), !flags.contains(.rst) { marks.insert(.lostSegment) }
        if let next, length <= 1, !control, seq == next &- 1 { marks.insert(.keepAlive) }
        if length == 0, window, seq == next, sameAck, !sameWindow, sender.lastWindow != nil, !control { marks.insert(.windowUpdate) }
        if length > 0, let peerAck = receiver.lastAck, let peerWindow = receiver.lastWindow,
           seq &+ UInt32(truncatingIfNeeded: length) == peerAck &+ UInt32(truncatingIfNeeded: receiver.windowBytes(peerWindow, scaling: scaling)) {
            marks.insert(.windowFull)
        }
        if length == 0, window, seq == next, sameAck, sameWindow, !control {
            marks.insert(receiver.lastWasKeepAlive ? .keepAliveAck : .duplicateAck)
        }
        if flags.contains(.ack), let peerNext = receiver.nextSequence, seqLess(peerNext, ack), !flags.contains(.syn) {
            marks.insert(.ackedUnseen)
        }
        if length > 0 || flags.contains(.syn) || flags.contains(.fin), !marks.contains(.keepAlive) {
            let kind = retransmissionKind(segment, advance: advance, sender: sender, receiver: receiver, time: time,
                                          reordering: initialRTT ?? reorderingWindow)
            marks.formUnion(kind)
            if kind.contains(.retransmission) { sender.retransmissions += 1 }
        }
        record(segment, marks: marks, advance: advance, sender: &sender, time: time)
        return marks
    }

    /// A segment with data, SYN or FIN that may repeat what was sent: spurious (already
    /// acknowledged), fast (after duplicate ACKs), reordered (within `reordering` seconds of the
    /// highest segment: the handshake's RTT, or 3 ms), plain, or none of them, in tshark's order.
    private static func retransmissionKind(_ segment: TCPSegment, advance: UInt32, sender: TCPDirection, receiver: TCPDirection,
                                           time: Double, reordering: Double) -> TCPAnalysisMarks {
        let (seq, length) = (segment.sequence, UInt32(truncatingIfNeeded: segment.payloadLength))
        guard let next = sender.nextSequence else { return [] }
        // One byte below the highest with more data: a zero window probe's follow-up, not a repeat.
        let notAdvanced = seqLess(seq, next) && !(length > 1 && next &- 1 == seq)
        if length > 0, let acked = receiver.lastAck, acked != 0, seqLessOrEqual(seq &+ length, acked) {
            return [.spuriousRetransmission, .retransmission]
        }
        guard notAdvanced else { return [] }
        if receiver.duplicateAcks >= 2, receiver.lastAck == seq, time - receiver.lastAckTime < fastRetransmitWindow {
            return [.fastRetransmission, .retransmission]
        }
        if time - sender.nextSequenceTime < reordering, next != seq &+ advance { return .outOfOrder }
        return .retransmission
    }

    /// Moves the direction's numbers on past this segment.
    private static func record(_ segment: TCPSegment, marks: TCPAnalysisMarks, advance: UInt32, sender: inout TCPDirection, time: Double) {
        let end = segment.sequence &+ advance
        // A zero window probe's byte does not move the flow on (tshark's rule).
        if !marks.contains(.zeroWindowProbe), sender.nextSequence.map({ seqLess($0, end) }) ?? true {
            sender.nextSequence = end
            sender.nextSequenceTime = time
        }
        if marks.contains(.duplicateAck) {
            sender.duplicateAcks += 1
        } else if segment.acknowledgment != sender.lastAck {
            sender.duplicateAcks = 0
        }
        // As tshark keeps them: the last acknowledgment field and its time, whatever the flags.
        sender.lastAck = segment.acknowledgment
        sender.lastAckTime = time
        sender.lastWindow = segment.window
        sender.lastWasKeepAlive = marks.contains(.keepAlive)
        sender.packets += 1
        sender.bytes += segment.payloadLength
    }
}
