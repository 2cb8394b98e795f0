import Endpoints
import NIOCore
import Rendering
import Serving
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong with a TCP echo server or client, as one sentence a person can
/// act on, and an exit status (documented in each command's --help).
public enum TCPError: Error, Sendable, CustomStringConvertible {
    case resolution(host: String, reason: String)
    case refused(Endpoint)
    case connectTimedOut(Endpoint, Duration)
    case replyTimedOut(Endpoint, Duration, received: Int, expected: Int)
    case unreachable(Endpoint, reason: String)
    case reset(Endpoint)
    case closedEarly(Endpoint, received: Int, expected: Int)
    case mismatch(String)
    case bind(ServerBindError)
    case permissionDenied(Endpoint, reason: String)
    case io(String)

    /// 1 mismatch, bind failures and other errors; 3 name resolution; 4 refused; 5 timed out;
    /// 6 unreachable; 7 reset or closed before the whole echo came back.
    public var exitStatus: Int32 {
        switch self {
        case .resolution: return 3
        case .refused: return 4
        case .connectTimedOut, .replyTimedOut: return 5
        case .unreachable: return 6
        case .reset, .closedEarly: return 7
        default: return 1
        }
    }

    public var description: String {
        switch self {
        case .resolution(let host, let reason):
            return ResolutionError(host: host, reason: reason).description
        case .refused(let endpoint):
            return "connection refused: nothing listens on \(endpoint)/tcp (the host answered the SYN with a reset)"
        case .connectTimedOut(let endpoint, let timeout):
            return "no answer from \(endpoint) within \(DurationText.compact(timeout)): the handshake did not complete; "
                + "a firewall may drop the SYN, or the host is down (try --connect-timeout)"
        case .replyTimedOut(let endpoint, let timeout, let received, let expected):
            return "\(endpoint) echoed \(received) of \(expected) bytes, then nothing for \(DurationText.compact(timeout)); "
                + "is it an echo server? (try --timeout)"
        case .unreachable(let endpoint, let reason):
            return unreachableSentence(endpoint, reason: reason)
        case .reset(let endpoint):
            return "connection reset by \(endpoint): the server aborted the connection (RST) instead of closing it"
        case .closedEarly(let endpoint, let received, let expected):
            return "\(endpoint) closed the connection after echoing \(received) of \(expected) bytes"
        case .mismatch(let diff):
            return diff
        case .bind(let error):
            return error.description
        case .permissionDenied(let endpoint, let reason):
            return "cannot use \(endpoint): \(reason)"
        case .io(let reason):
            return reason
        }
    }

    /// Maps an error from NIO or the kernel to a sentence about `endpoint`.
    static func from(_ error: any Error, endpoint: Endpoint) -> TCPError {
        if let error = error as? TCPError { return error }
        if let error = error as? ResolutionError { return .resolution(host: error.host, reason: error.reason) }
        if case .connectTimeout(let timeout)? = error as? ChannelError {
            return .connectTimedOut(endpoint, .nanoseconds(timeout.nanoseconds))
        }
        guard let io = error as? IOError else { return .io("\(endpoint): \(error)") }
        switch io.errnoCode {
        case ECONNREFUSED: return .refused(endpoint)
        case ECONNRESET, EPIPE: return .reset(endpoint)
        case ENETUNREACH: return .unreachable(endpoint, reason: "no route to that network")
        case EHOSTUNREACH: return .unreachable(endpoint, reason: "no route to that host")
        case ETIMEDOUT: return .unreachable(endpoint, reason: "the kernel gave up waiting for an answer (ETIMEDOUT)")
        case EACCES: return .permissionDenied(endpoint, reason: "permission denied")
        case EADDRNOTAVAIL: return .permissionDenied(endpoint, reason: "that address is not on any interface of this host")
        default: return .io("\(endpoint): \(String(cString: strerror(io.errnoCode)))")
        }
    }
}
