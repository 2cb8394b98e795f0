/// What a connection tracker says of one segment: its sequence and acknowledgment numbers as
/// shown (relative to each side's first, unless absolute ones were asked for) and the events
/// tshark's TCP analysis marks.
public struct TCPAnnotation: Equatable, Sendable {
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var marks: TCPAnalysisMarks
    /// The window in bytes, once the handshake's window scale is known.
    public var scaledWindow: Int?

    public init(sequence: UInt32, acknowledgment: UInt32, marks: TCPAnalysisMarks = [], scaledWindow: Int? = nil) {
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.marks = marks
        self.scaledWindow = scaledWindow
    }
}

/// tshark's `tcp.analysis.*` flags, one bit each.
public struct TCPAnalysisMarks: OptionSet, Equatable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let retransmission = Self(rawValue: 1 << 0)
    public static let fastRetransmission = Self(rawValue: 1 << 1)
    public static let spuriousRetransmission = Self(rawValue: 1 << 2)
    public static let duplicateAck = Self(rawValue: 1 << 3)
    public static let outOfOrder = Self(rawValue: 1 << 4)
    public static let lostSegment = Self(rawValue: 1 << 5)
    public static let ackedUnseen = Self(rawValue: 1 << 6)
    public static let zeroWindow = Self(rawValue: 1 << 7)
    public static let zeroWindowProbe = Self(rawValue: 1 << 8)
    public static let windowFull = Self(rawValue: 1 << 9)
    public static let windowUpdate = Self(rawValue: 1 << 10)
    public static let keepAlive = Self(rawValue: 1 << 11)
    public static let keepAliveAck = Self(rawValue: 1 << 12)

    /// Each mark with its JSON name (tshark's field name) and the words a text line uses.
    public static let named: [(mark: TCPAnalysisMarks, key: StaticString, words: StaticString)] = [
        (.retransmission, "retransmission", "retransmission"),
        (.fastRetransmission, "fast_retransmission", "fast retransmission"),
        (.spuriousRetransmission, "spurious_retransmission", "spurious retransmission"),
        (.duplicateAck, "duplicate_ack", "duplicate ACK"),
        (.outOfOrder, "out_of_order", "out of order"),
        (.lostSegment, "lost_segment", "previous segment not captured"),
        (.ackedUnseen, "ack_lost_segment", "ACKs a segment not captured"),
        (.zeroWindow, "zero_window", "zero window"),
        (.zeroWindowProbe, "zero_window_probe", "zero window probe"),
        (.windowFull, "window_full", "window full"),
        (.windowUpdate, "window_update", "window update"),
        (.keepAlive, "keep_alive", "keep-alive"),
        (.keepAliveAck, "keep_alive_ack", "keep-alive ACK"),
    ]
}
