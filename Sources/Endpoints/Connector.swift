import NIOCore
import NIOPosix
import Rendering

/// The one way nettool's clients reach a server, as netcat's remote_connect(): resolve the host
/// with getaddrinfo (honouring -4/-6, /etc/hosts, and the resolver's RFC 6724 order), then try
/// each address in turn until one connects, narrating every attempt under --explain. What a
/// client does with the connection (its pipeline) is the `attempt` it hands over.
public struct Connector: Sendable {
    public let host: String
    public let port: Int
    public let family: FamilyPreference
    public let connectTimeout: Duration
    private let narrator: Narrator

    public init(host: String, port: Int, family: FamilyPreference, connectTimeout: Duration, narrator: Narrator) {
        self.host = host
        self.port = port
        self.family = family
        self.connectTimeout = connectTimeout
        self.narrator = narrator
    }

    /// The host's addresses, in the order to try them.
    public func resolve(_ transport: NetworkError.Transport) throws(NetworkError) -> [SocketAddress] {
        let addresses = try Resolver.resolve(host, port: port, family: family, transport: transport)
        let shown = addresses.compactMap { Endpoint($0)?.address.description }
        if shown != [host] {
            narrator.step("getaddrinfo(\"\(host)\") → \(shown.joined(separator: ", "))",
                          shown.count > 1 ? "the name has \(shown.count) addresses; they are tried in this order until one answers"
                              : "the name was resolved to an address first; sockets only ever see addresses")
        }
        return addresses
    }

    /// A TCP client bootstrap with what every nettool client wants: the connect timeout,
    /// TCP_NODELAY (small messages go out at once) and half-closure (a FIN from the server is
    /// seen as such, not as the end of the connection).
    public func bootstrap(on group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) -> ClientBootstrap {
        ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
    }

    /// Runs `attempt` on each address in turn and returns the first that connects, with the
    /// server's endpoint and how long the handshake took. When every address fails, the first
    /// address's error is thrown (the most preferred one; later ones are fallbacks). `narrate`:
    /// off for the load generator's thousands of connections.
    public func connect<Connection>(
        _ addresses: [SocketAddress], narrate: Bool = true, _ attempt: (SocketAddress) async throws -> Connection
    ) async throws(NetworkError) -> (connection: Connection, server: Endpoint, connectTime: Duration) {
        var firstError: NetworkError?
        for address in addresses {
            guard let server = Endpoint(address) else { continue }
            if narrate {
                narrator.step("socket(\(server.address.family == .v6 ? "AF_INET6" : "AF_INET"), SOCK_STREAM) + connect(\(server))",
                              "a TCP socket, and the three-way handshake: SYN out, SYN-ACK back, ACK out")
            }
            let start = ContinuousClock.now
            do {
                let connection = try await attempt(address)
                return (connection, server, .now - start)
            } catch {
                var failure = NetworkError.from(error, endpoint: server, transport: .tcp) ?? .io("\(server): \(error)")
                if case .connectTimedOut = failure { failure = .connectTimedOut(server, connectTimeout) }
                if narrate { narrator.step("connect(\(server)) failed", failure.description) }
                if firstError == nil { firstError = failure }
            }
        }
        throw firstError ?? .io("'\(host)' has no address to connect to")
    }
}
