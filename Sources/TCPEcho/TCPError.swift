import Endpoints
import NIOCore
import Rendering
import Serving

/// Everything that can go wrong with a TCP echo server or client, as one sentence a person can
/// act on, and an exit status from the one table (`ExitStatus`).
public enum TCPError: CommandFailure, Sendable {
    /// Resolution, refusal, handshake timeout, reset, unreachable: shared with every command.
    case network(NetworkError)
    case replyTimedOut(Endpoint, Duration, received: Int, expected: Int)
    case closedEarly(Endpoint, received: Int, expected: Int)
    case mismatch(String)
    case bind(ServerBindError)

    public var exitStatus: ExitStatus {
        switch self {
        case .network(let error): return error.exitStatus
        case .replyTimedOut: return .timedOut
        case .closedEarly: return .closedEarly
        case .mismatch: return .failure
        case .bind(let error): return error.exitStatus
        }
    }

    public var endpoint: Endpoint? {
        switch self {
        case .network(let error): return error.endpoint
        case .replyTimedOut(let endpoint, _, _, _), .closedEarly(let endpoint, _, _): return endpoint
        case .mismatch: return nil
        case .bind(let error): return error.endpoint
        }
    }

    public var description: String {
        switch self {
        case .network(let error):
            return error.description
        case .replyTimedOut(let endpoint, let timeout, let received, let expected):
            return "\(endpoint) echoed \(received) of \(expected) bytes, then nothing for \(DurationText.compact(timeout)); "
                + "is it an echo server? (try --timeout)"
        case .closedEarly(let endpoint, let received, let expected):
            return NetworkError.closedEarly(endpoint, detail: "after echoing \(received) of \(expected) bytes").description
        case .mismatch(let diff):
            return diff
        case .bind(let error):
            return error.description
        }
    }

    /// Maps an error from NIO or the kernel to a sentence about `endpoint`.
    static func from(_ error: any Error, endpoint: Endpoint) -> TCPError {
        if let error = error as? TCPError { return error }
        return .network(NetworkError.from(error, endpoint: endpoint, transport: .tcp) ?? .io("\(endpoint): \(error)"))
    }
}
