import Endpoints

public struct EchoClientOptions: Sendable {
    public var host = ""
    public var port = 0
    public var family = FamilyPreference.any
    /// How long the three-way handshake may take.
    public var connectTimeout: Duration = .seconds(5)
    /// How long to wait with part of the echo still missing and nothing arriving.
    public var timeout: Duration = .seconds(5)

    public init() {}
}

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
