import Packets

/// How segments move each side through the states, and what each segment is in the story.
extension TCPConnection {
    mutating func advance(_ segment: TCPSegment, from side: TCPSide, time: Double) -> TCPStep {
        let flags = segment.flags
        if flags.contains(.rst) {
            ending = .reset(by: side)
            toServer.state = .closed
            toClient.state = .closed
            return .reset
        }
        if flags.contains(.syn) { return handshake(segment, from: side, time: time) }
        var step: TCPStep = segment.payloadLength > 0 ? .data : .ack
        if handshakeSeen == 2, side == .client, flags.contains(.ack), segment.acknowledgment == (toClient.base ?? 0) &+ 1 {
            handshakeSeen = 3
            toServer.state = .established
            toClient.state = .established
            if let synTime { handshakeRTT = time - synTime }
            step = .handshake(3)
        }
        if flags.contains(.ack), let acked = ackOfFIN(segment, from: side) { step = acked }
        if flags.contains(.fin) {
            let acknowledges = step == .close(2, first: side.other)
            step = fin(segment, from: side)
            // Linux often acknowledges the first FIN with its own: steps 2 and 3 in one segment.
            if acknowledges, case .close(3, let first) = step { step = .closeAcknowledging(first: first) }
        }
        return step
    }

    private mutating func handshake(_ segment: TCPSegment, from side: TCPSide, time: Double) -> TCPStep {
        if !segment.flags.contains(.ack) {
            // The most recent SYN, as tshark times it: a retransmitted SYN must not make the
            // handshake RTT (and with it the reordering window) a whole retransmission timeout.
            if handshakeSeen < 3 { synTime = time }
            handshakeSeen = max(handshakeSeen, 1)
            toServer.state = .synSent
            return .handshake(1)
        }
        handshakeSeen = max(handshakeSeen, 2)
        toClient.state = .synReceived
        return .handshake(2)
    }

    /// The receiving side's FIN acknowledged: FIN_WAIT_1 → FIN_WAIT_2, CLOSING → TIME_WAIT, LAST_ACK → CLOSED.
    private mutating func ackOfFIN(_ segment: TCPSegment, from side: TCPSide) -> TCPStep? {
        let peerFIN = side == .client ? toClient.finSequence : toServer.finSequence
        guard let peerFIN, seqLessOrEqual(peerFIN &+ 1, segment.acknowledgment) else { return nil }
        let before = side == .client ? toClient.state : toServer.state
        let after: TCPState
        switch before {
        case .finWait1: after = .finWait2
        case .closing: after = .timeWait
        case .lastAck: after = .closed
        default: return nil
        }
        if side == .client { toClient.state = after } else { toServer.state = after }
        guard let first = closedFirst, closeSeen < 4 else { return nil }
        closeSeen = max(closeSeen, after == .finWait2 ? 2 : 4)
        return after == .finWait2 ? .close(2, first: first) : .close(4, first: first)
    }

    /// A FIN: the sender stops sending, the receiver learns it.
    private mutating func fin(_ segment: TCPSegment, from side: TCPSide) -> TCPStep {
        let finSequence = segment.sequence &+ UInt32(truncatingIfNeeded: segment.payloadLength)
        var sender = side == .client ? toServer : toClient
        var receiver = side == .client ? toClient : toServer
        let first = closedFirst ?? side
        closedFirst = first
        sender.finSequence = finSequence
        sender.state = sender.state == .closeWait ? .lastAck : .finWait1
        switch receiver.state {
        case .finWait2: receiver.state = .timeWait
        case .finWait1: receiver.state = .closing
        case .established, .synReceived: receiver.state = .closeWait
        default: break
        }
        if side == .client { (toServer, toClient) = (sender, receiver) } else { (toClient, toServer) = (sender, receiver) }
        if side != first { ending = .closed }
        closeSeen = max(closeSeen, side == first ? 1 : 3)
        return .close(side == first ? 1 : 3, first: first)
    }
}
