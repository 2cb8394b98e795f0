import Packets

/// What one direction of a connection has sent so far: the numbers its next segments are
/// judged against (tshark's `tcp_flow_t`).
struct TCPDirection {
    /// The sender's initial sequence number (or one less than the first seen, mid-stream).
    var base: UInt32?
    /// One past the highest sequence number sent (SYN and FIN count as one byte each).
    var nextSequence: UInt32?
    var nextSequenceTime = 0.0
    /// The last acknowledgment this side sent, and when.
    var lastAck: UInt32?
    var lastAckTime = 0.0
    var lastWindow: UInt16?
    var windowScale: UInt8?
    /// How many duplicate ACKs in a row this side has sent.
    var duplicateAcks = 0
    var lastWasKeepAlive = false
    var packets = 0
    var bytes = 0
    var retransmissions = 0
    var finSequence: UInt32?
    var state: TCPState

    init(state: TCPState) { self.state = state }

    /// The window in bytes, once both SYNs showed scaling (else the raw value, as RFC 7323 says).
    func windowBytes(_ raw: UInt16, scaling: Bool) -> Int {
        scaling ? Int(raw) << Int(min(windowScale ?? 0, 14)) : Int(raw)
    }
}

/// Sequence-space comparisons, which wrap at 2^32 (RFC 9293 section 3.4).
@inline(__always) func seqLess(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
@inline(__always) func seqLessOrEqual(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) <= 0 }
