import HostState
import NIOCore
import Rendering
import TLS
#if canImport(Glibc)
import Glibc
#endif

/// The exit statuses of every nettool command: one table, printed in each command's --help and
/// in README (a test holds README to it).
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    case failure = 1
    case usage = 2
    case resolution = 3
    case refused = 4
    case timedOut = 5
    case unreachable = 6
    case closedEarly = 7
    case tls = 8

    public var meaning: String {
        switch self {
        case .success: return "done"
        case .failure: return "a failure the message names (HTTP error, mismatch, bind, bad input)"
        case .usage: return "usage error: a bad option or argument; nothing was sent"
        case .resolution: return "the host name could not be resolved"
        case .refused: return "connection refused: nothing listens there"
        case .timedOut: return "timed out: no handshake, reply or data within the timeout"
        case .unreachable: return "network or host unreachable"
        case .closedEarly: return "the peer reset the connection or closed it too early"
        case .tls: return "TLS failed: the server's certificate was refused (issuer, name, dates) or the handshake failed"
        }
    }

    /// For README: a Markdown table.
    public static var markdownTable: String {
        "| status | meaning |\n| --- | --- |\n" + allCases.map { "| \($0.rawValue) | \($0.meaning) |" }.joined(separator: "\n")
    }
}

/// An error a command ends with: the CLI prints `nettool: <description>` on stderr and exits
/// with `exitStatus`, in one place for every command.
public protocol CommandFailure: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
    /// The peer it happened with, when there was one: for the `--json` error record.
    var endpoint: Endpoint? { get }
    /// The HTTP status that ended it, when one did.
    var httpStatus: Int? { get }
}

extension CommandFailure {
    public var endpoint: Endpoint? { nil }
    public var httpStatus: Int? { nil }
}

/// What went wrong between this host and another, as one sentence and one exit status, the
/// same for every command: the one place where an errno from the kernel (or an error from NIO)
/// becomes something a person can act on. Each command's own error wraps it.
public enum NetworkError: CommandFailure, Sendable {
    public enum Transport: String, Sendable { case tcp, udp }

    /// getaddrinfo(3) found nothing for a name: `reason` is its gai_strerror text.
    case resolution(host: String, reason: String)
    case refused(Endpoint, Transport)
    case connectTimedOut(Endpoint, Duration)
    case unreachable(Endpoint, reason: String)
    case reset(Endpoint)
    /// The peer closed in order before everything arrived; `detail` says how much did.
    case closedEarly(Endpoint, detail: String)
    case addressInUse(Endpoint, Transport)
    /// bind(2) refused: a privileged port, an address not on this host.
    case bindRefused(Endpoint, Transport, reason: String)
    case permissionDenied(Endpoint, reason: String)
    /// send() returned EPERM: a rule on this host's output path dropped the packet.
    case firewall(Endpoint, Transport)
    /// The TLS handshake with `Endpoint` failed, or its certificate was refused.
    case tls(Endpoint, TLSFailure)
    case io(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .resolution: return .resolution
        case .refused: return .refused
        case .connectTimedOut: return .timedOut
        case .unreachable: return .unreachable
        case .reset, .closedEarly: return .closedEarly
        case .tls(_, let failure): return failure.isLocalFile ? .failure : .tls
        case .addressInUse, .bindRefused, .permissionDenied, .firewall, .io: return .failure
        }
    }

    public var endpoint: Endpoint? {
        switch self {
        case .refused(let endpoint, _), .connectTimedOut(let endpoint, _), .unreachable(let endpoint, _), .reset(let endpoint),
             .closedEarly(let endpoint, _), .addressInUse(let endpoint, _), .bindRefused(let endpoint, _, _),
             .permissionDenied(let endpoint, _), .firewall(let endpoint, _):
            return endpoint
        case .tls(let endpoint, let failure):
            return failure.isLocalFile ? nil : endpoint
        case .resolution, .io:
            return nil
        }
    }

    /// Worth another attempt: the peer or the path may be back in a moment.
    public var isTransient: Bool {
        switch self {
        case .refused, .connectTimedOut, .unreachable, .reset, .closedEarly: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .resolution(let host, let reason):
            return "cannot resolve '\(TerminalText.escape(host))': \(reason); check the name, or give an IP address"
        case .refused(let endpoint, .tcp):
            return "connection refused: nothing listens on \(endpoint)/tcp (the host answered the SYN with a reset)"
        case .refused(let endpoint, .udp):
            return "connection refused: nothing listens on \(endpoint)/udp (the host answered with ICMP port unreachable)"
        case .connectTimedOut(let endpoint, let timeout):
            return "no answer from \(endpoint) within \(DurationText.compact(timeout)): the handshake did not complete; "
                + "a firewall may drop the SYN, or the host is down (try --connect-timeout)"
        case .unreachable(let endpoint, let reason):
            return "\(endpoint) is unreachable: \(reason); check the address and this host's routes (ip route get)"
        case .reset(let endpoint):
            return "connection reset by \(endpoint): the peer aborted the connection (RST) instead of closing it"
        case .closedEarly(let endpoint, let detail):
            return "\(endpoint) closed the connection \(detail)"
        case .addressInUse(let endpoint, let transport):
            return "\(Self.cannotBind(transport)) \(endpoint): address already in use (see: nettool port-classify \(endpoint.port)/\(transport.rawValue))"
        case .bindRefused(let endpoint, let transport, let reason):
            return "\(Self.cannotBind(transport)) \(endpoint): \(reason)"
        case .permissionDenied(let endpoint, let reason):
            return "cannot use \(endpoint): \(reason)"
        case .firewall(let endpoint, let transport):
            return "cannot send to \(endpoint)/\(transport.rawValue): a firewall rule on this host refused it before it left "
                + "(send() returned EPERM; see `nft list ruleset` or `iptables -L OUTPUT`)"
        case .tls(let endpoint, let failure):
            return failure.isLocalFile ? failure.description : "\(endpoint): \(failure)"
        case .io(let reason):
            return reason
        }
    }

    /// A TCP server listens; a UDP socket is bound.
    private static func cannotBind(_ transport: Transport) -> String {
        transport == .tcp ? "cannot listen on" : "cannot bind"
    }

    /// Maps an error from NIO or the kernel to a sentence about `endpoint`; nil when it is not a
    /// network error at all (the caller's own errors). `binding`: the error came from bind(2).
    public static func from(_ error: any Error, endpoint: Endpoint, transport: Transport, binding: Bool = false) -> NetworkError? {
        if let error = error as? NetworkError { return error }
        if let error = error as? TLSFailure { return .tls(endpoint, error) }
        // A FIN with no close_notify: closed early, as over plain TCP (and as transient).
        if TLSFailure.isUncleanShutdown(error) {
            return .closedEarly(endpoint, detail: "without ending TLS first (no close_notify): what arrived may be cut short")
        }
        if let failure = TLSFailure.library(error, peerIsServer: true) { return .tls(endpoint, failure) }
        if case .connectTimeout(let timeout)? = error as? ChannelError { return .connectTimedOut(endpoint, Duration(timeout)) }
        guard let io = error as? IOError else { return nil }
        let privilegedBelow = HostPortState.unprivilegedPortStart() ?? 1024
        switch io.errnoCode {
        case ECONNREFUSED: return .refused(endpoint, transport)
        case ECONNRESET, EPIPE: return .reset(endpoint)
        case ENETUNREACH: return .unreachable(endpoint, reason: "no route to that network")
        case EHOSTUNREACH: return .unreachable(endpoint, reason: "no route to that host")
        case ETIMEDOUT: return .unreachable(endpoint, reason: "the kernel gave up waiting for an answer (ETIMEDOUT)")
        case EADDRINUSE: return .addressInUse(endpoint, transport)
        case EACCES where binding && endpoint.port > 0 && endpoint.port < privilegedBelow:
            return .bindRefused(endpoint, transport, reason: "port \(endpoint.port) needs root or CAP_NET_BIND_SERVICE (ports below "
                                     + "net.ipv4.ip_unprivileged_port_start, \(privilegedBelow) on this host, are privileged)")
        case EACCES where transport == .udp: return .permissionDenied(endpoint, reason: "permission denied (a broadcast address needs --broadcast)")
        case EACCES: return .permissionDenied(endpoint, reason: "permission denied")
        case EADDRNOTAVAIL where binding: return .bindRefused(endpoint, transport, reason: "that address is not on any interface of this host")
        case EADDRNOTAVAIL: return .permissionDenied(endpoint, reason: "that address is not on any interface of this host")
        case EPERM where !binding: return .firewall(endpoint, transport)
        default: return .io("\(endpoint): \(String(cString: strerror(io.errnoCode)))")
        }
    }
}

/// A server's certificate or key that cannot be used ends the command with 1; a client's
/// refused handshake with 8.
extension TLSFailure: CommandFailure {
    public var exitStatus: ExitStatus { isLocalFile ? .failure : .tls }
}
