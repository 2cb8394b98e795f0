import Endpoints
import Rendering
import TLS

public struct EchoClientOptions: Sendable {
    public var host = ""
    public var port = 0
    public var family = FamilyPreference.any
    /// How long the three-way handshake may take.
    public var connectTimeout: Duration = .seconds(5)
    /// How long to wait with part of the echo still missing and nothing arriving (under load,
    /// a connection whose echo stalls this long counts as an error and is closed).
    public var timeout: Duration = .seconds(5)
    /// TLS over the connection (--tls), and how the server is checked; nil for plain TCP.
    public var tls: TLSClientOptions?

    public init() {}

    /// The connector to the server, with TLS when asked (trust roots read once, here).
    func connector(narrator: Narrator) throws(TCPError) -> Connector {
        var connector = Connector(host: host, port: port, family: family, connectTimeout: connectTimeout, narrator: narrator)
        if let tls {
            do {
                connector.tls = try TLSClientSide(tls)
            } catch {
                throw .network(.tls(Endpoint(address: .v4(0), port: port), error))
            }
            if let warning = connector.tls?.warning { printError("nettool: \(warning)") }
        }
        return connector
    }
}
