import Endpoints

public struct EchoClientOptions: Sendable {
    public var host = ""
    public var port = 0
    public var family = FamilyPreference.any
    /// How long the three-way handshake may take.
    public var connectTimeout: Duration = .seconds(5)
    /// How long to wait with part of the echo still missing and nothing arriving (under load,
    /// a connection whose echo stalls this long counts as an error and is closed).
    public var timeout: Duration = .seconds(5)

    public init() {}
}
