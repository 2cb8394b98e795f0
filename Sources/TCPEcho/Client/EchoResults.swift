import Endpoints

/// A round trip of `tcp-echo-client HOST PORT MESSAGE`.
public struct RoundTrip: Sendable {
    public let server: Endpoint
    public let local: Endpoint
    public let sent: Int
    public let echo: [UInt8]
    public let connectTime: Duration
    public let roundTripTime: Duration
}

/// The end of an interactive session.
public struct SessionSummary: Sendable {
    public var server: Endpoint
    public var sent = 0
    public var received = 0
    public var elapsed: Duration = .zero
}
