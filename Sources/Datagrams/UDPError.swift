import Endpoints
import NIOCore
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong sending or receiving datagrams, as a sentence and an exit status.
/// The statuses are documented in `udp-send --help` and `udp-recv --help`.
public enum UDPError: Error, Sendable, CustomStringConvertible {
    case resolution(host: String, reason: String)
    case refused(Endpoint)
    case timedOut(Endpoint, Duration)
    case unreachable(Endpoint, reason: String)
    case payloadTooLarge(bytes: Int, limit: Int, family: String)
    case broadcastNotAllowed(Endpoint)
    case addressInUse(Endpoint)
    case permissionDenied(Endpoint, reason: String)
    /// send() returned EPERM: a rule on this host's OUTPUT path dropped the datagram.
    case firewall(Endpoint)
    case invalidHex(String)
    case io(String)

    /// 3 name resolution, 4 refused (ICMP port unreachable), 5 timed out, 6 unreachable, 1 other.
    public var exitStatus: Int32 {
        switch self {
        case .resolution: return 3
        case .refused: return 4
        case .timedOut: return 5
        case .unreachable: return 6
        case .invalidHex: return 2
        default: return 1
        }
    }

    public var description: String {
        switch self {
        case .resolution(let host, let reason):
            return ResolutionError(host: host, reason: reason).description
        case .refused(let endpoint):
            return "connection refused: nothing listens on \(endpoint)/udp (the host answered with ICMP port unreachable)"
        case .timedOut(let endpoint, let timeout):
            return "no reply from \(endpoint) within \(DurationText.compact(timeout)); the datagram or its reply may be lost, "
                + "or nothing answers there (try --timeout, or check the port)"
        case .unreachable(let endpoint, let reason):
            return unreachableSentence(endpoint, reason: reason)
        case .payloadTooLarge(let bytes, let limit, let family):
            return "\(bytes) bytes do not fit in one UDP datagram over \(family): the limit is \(limit) "
                + "(65,535 minus the \(family == "IPv4" ? "20-byte IPv4 and " : "")8-byte UDP header)"
        case .broadcastNotAllowed(let endpoint):
            return "\(endpoint.address) is a broadcast address: sending to it needs --broadcast (SO_BROADCAST), "
                + "so a typo cannot flood a whole network by accident"
        case .addressInUse(let endpoint):
            return "cannot bind \(endpoint): address already in use (see: nettool port-classify \(endpoint.port)/udp)"
        case .permissionDenied(let endpoint, let reason):
            return "cannot use \(endpoint): \(reason)"
        case .firewall(let endpoint):
            return "cannot send to \(endpoint)/udp: a firewall rule on this host refused it before it left "
                + "(send() returned EPERM; see `nft list ruleset` or `iptables -L OUTPUT`)"
        case .invalidHex(let reason):
            return "invalid hex payload: \(reason)"
        case .io(let reason):
            return reason
        }
    }

    /// Maps an error from NIO or the kernel to a sentence about `endpoint`.
    static func from(_ error: any Error, endpoint: Endpoint, binding: Bool = false) -> UDPError {
        if let error = error as? UDPError { return error }
        guard let io = error as? IOError else { return .io("\(endpoint): \(error)") }
        switch io.errnoCode {
        case ECONNREFUSED: return .refused(endpoint)
        case ENETUNREACH: return .unreachable(endpoint, reason: "no route to that network")
        case EHOSTUNREACH: return .unreachable(endpoint, reason: "no route to that host")
        case EADDRINUSE: return .addressInUse(endpoint)
        case EACCES where endpoint.port < 1024 && binding:
            return .permissionDenied(endpoint, reason: "port \(endpoint.port) needs root or CAP_NET_BIND_SERVICE")
        case EACCES: return .permissionDenied(endpoint, reason: "permission denied (a broadcast address needs --broadcast)")
        case EADDRNOTAVAIL: return .permissionDenied(endpoint, reason: "that address is not on any interface of this host")
        case EMSGSIZE: return .io("\(endpoint): datagram too large for the path (EMSGSIZE)")
        case EPERM: return .firewall(endpoint)
        default: return .io("\(endpoint): \(io.description)")
        }
    }
}
