import NIOCore
import NIOPosix
import Addresses
import Rendering
import TLS

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
    /// TLS over every connection (the handshake is part of connecting); nil for plain TCP.
    public var tls: TLSClientSide?
    /// curl's --resolve: connect to this address instead of resolving `host` (which TLS still
    /// sends as SNI and verifies).
    public var address: IPAddress?

    public init(host: String, port: Int, family: FamilyPreference, connectTimeout: Duration, narrator: Narrator) {
        self.host = host
        self.port = port
        self.family = family
        self.connectTimeout = connectTimeout
        self.narrator = narrator
    }

    /// The host's addresses, in the order to try them.
    public func resolve(_ transport: NetworkError.Transport) throws(NetworkError) -> [SocketAddress] {
        if let address {
            narrator.step("\(host) → \(address) (--resolve)", "no lookup: the address is given; the name is still what TLS asks for and checks")
            guard let socketAddress = try? SocketAddress(ipAddress: address.description, port: port) else {
                throw .io("--resolve: \(address) is not an address to connect to")
            }
            return [socketAddress]
        }
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
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.maxMessagesPerRead, value: 16)
    }

    /// Connects to `address`; `pipeline` adds the client's handlers to the new channel, behind
    /// TLS when `tls` is set, and this returns once the TLS handshake is done (a refused
    /// certificate or failed handshake is thrown as the connection's error).
    public func open<Output: Sendable>(_ address: SocketAddress, on group: (any EventLoopGroup)? = nil, narrate: Bool = true,
                                       _ pipeline: @escaping @Sendable (Channel) throws -> Output) async throws -> Output {
        let tls = self.tls, host = self.host, timeout = connectTimeout, narrator = narrate ? self.narrator : .silent
        let (output, channel, handshake) = try await bootstrap(on: group ?? MultiThreadedEventLoopGroup.singleton)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = try tls?.secure(channel, host: host, timeout: timeout, narrator: narrator)
                    return (try pipeline(channel), channel, handshake)
                }
            }
        do {
            _ = try await handshake?.get()
        } catch {
            // An async channel must be finished before it goes, or NIO traps.
            if let connection = output as? any DiscardableConnection { await connection.discard() }
            channel.close(promise: nil)
            throw error
        }
        return output
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
                if case .tls = failure, narrate { narrator.step("TLS with \(server) failed", failure.description) }
                if case .connectTimedOut = failure { failure = .connectTimedOut(server, connectTimeout) }
                if narrate { narrator.step("connect(\(server)) failed", failure.description) }
                if firstError == nil { firstError = failure }
            }
        }
        throw firstError ?? .io("'\(TerminalText.escape(host))' has no address to connect to")
    }
}

/// A connection that must be wound down properly when it is given up before use.
protocol DiscardableConnection {
    func discard() async
}

extension NIOAsyncChannel: DiscardableConnection {
    func discard() async {
        try? await executeThenClose { _, _ in }
    }
}
