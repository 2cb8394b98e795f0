/// A TCP endpoint's state as RFC 9293 (and every course) names it, as far as the wire shows
/// it: a capture sees segments, so a side changes state when it sends or is sent the segment
/// that moves it.
public enum TCPState: String, Sendable {
    case closed = "CLOSED"
    case listen = "LISTEN"
    case synSent = "SYN_SENT"
    case synReceived = "SYN_RECEIVED"
    case established = "ESTABLISHED"
    case finWait1 = "FIN_WAIT_1"
    case finWait2 = "FIN_WAIT_2"
    case closing = "CLOSING"
    case timeWait = "TIME_WAIT"
    case closeWait = "CLOSE_WAIT"
    case lastAck = "LAST_ACK"
}

/// Which end of a connection: the client sent the first SYN (or, for a connection seen
/// mid-stream, the first segment captured).
public enum TCPSide: String, Sendable {
    case client, server

    public var other: TCPSide { self == .client ? .server : .client }
}

/// What one segment is, in the story of a connection.
public enum TCPStep: Equatable, Sendable {
    case handshake(Int)
    /// The four segments of an orderly close; `first` is the side that closed first.
    case close(Int, first: TCPSide)
    /// Steps 2 and 3 of the close in one segment: a FIN that also acknowledges the first.
    case closeAcknowledging(first: TCPSide)
    case data
    case ack
    case reset
    /// A segment of a connection whose start was not captured, or after its end.
    case other

    /// A sentence for a learner, or nil for plain data and ACKs.
    public func note(from side: TCPSide) -> String? {
        switch self {
        case .handshake(1): "handshake 1/3, SYN: the client picks its initial sequence number"
        case .handshake(2): "handshake 2/3, SYN-ACK: the server picks its own and acknowledges the client's (its ISN + 1)"
        case .handshake(3): "handshake 3/3, ACK: the server's SYN is acknowledged; connect() has returned"
        case .close(1, let first): "close 1/4, FIN: the \(first.rawValue) has nothing more to send (close() or shutdown())"
        case .close(2, let first): "close 2/4, ACK: the \(first.other.rawValue) acknowledges the FIN; it may still send"
        case .close(3, let first): "close 3/4, FIN: the \(first.other.rawValue) closes too"
        case .closeAcknowledging(let first):
            "close 2+3/4, FIN+ACK: the \(first.other.rawValue) acknowledges the FIN and closes too, in one segment"
        case .close(4, let first): "close 4/4, ACK: the \(first.rawValue), which closed first, now waits in TIME_WAIT (2 MSL)"
        case .reset: "RST: the \(side.rawValue) aborts the connection; nothing more is sent or acknowledged"
        default: nil
        }
    }
}
