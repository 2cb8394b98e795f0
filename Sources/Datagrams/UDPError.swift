import Endpoints
import NIOCore
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong sending or receiving datagrams, as a sentence and an exit status
/// from the one table (`ExitStatus`).
public enum UDPError: CommandFailure, Sendable {
    /// Resolution, refusal (ICMP port unreachable), unreachable, bind failures, a local
    /// firewall: shared with every command.
    case network(NetworkError)
    /// No reply within --timeout.
    case timedOut(Endpoint, Duration)
    case payloadTooLarge(bytes: Int, limit: Int, family: String)
    case broadcastNotAllowed(Endpoint)
    case invalidHex(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .network(let error): return error.exitStatus
        case .timedOut: return .timedOut
        case .invalidHex: return .usage
        case .payloadTooLarge, .broadcastNotAllowed: return .failure
        }
    }

    public var endpoint: Endpoint? {
        switch self {
        case .network(let error): return error.endpoint
        case .timedOut(let endpoint, _), .broadcastNotAllowed(let endpoint): return endpoint
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .network(let error):
            return error.description
        case .timedOut(let endpoint, let timeout):
            return "no reply from \(endpoint) within \(DurationText.compact(timeout)); the datagram or its reply may be lost, "
                + "or nothing answers there (try --timeout, or check the port)"
        case .payloadTooLarge(let bytes, let limit, let family):
            return "\(bytes) bytes do not fit in one UDP datagram over \(family): the limit is \(limit) "
                + "(65,535 minus the \(family == "IPv4" ? "20-byte IPv4 and " : "")8-byte UDP header)"
        case .broadcastNotAllowed(let endpoint):
            return "\(endpoint.address) is a broadcast address: sending to it needs --broadcast (SO_BROADCAST), "
                + "so a typo cannot flood a whole network by accident"
        case .invalidHex(let reason):
            return "invalid hex payload: \(reason)"
        }
    }

    public static func io(_ reason: String) -> UDPError { .network(.io(reason)) }

    /// Maps an error from NIO or the kernel to a sentence about `endpoint`.
    static func from(_ error: any Error, endpoint: Endpoint, binding: Bool = false) -> UDPError {
        if let error = error as? UDPError { return error }
        guard let network = NetworkError.from(error, endpoint: endpoint, transport: .udp, binding: binding) else {
            return .io("\(endpoint): \(error)")
        }
        if case .io = network, let io = error as? IOError, io.errnoCode == EMSGSIZE {
            return .io("\(endpoint): datagram too large for the path (EMSGSIZE)")
        }
        return .network(network)
    }
}
