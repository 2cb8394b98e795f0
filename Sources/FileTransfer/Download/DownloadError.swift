import Endpoints
import NIOCore
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can stop a download, as a sentence; `isTransient` ones are retried.
public enum DownloadError: Error, Sendable, CustomStringConvertible {
    case source(DownloadSource.ParseError)
    case resolution(host: String, reason: String)
    case refused(String)
    case timedOut(String, Duration)
    case unreachable(String, reason: String)
    case reset(String)
    case closedEarly(received: Int, expected: Int?, from: String)
    case httpStatus(code: Int, reason: String, path: String, server: String)
    case tooManyRedirects(Int)
    case badResponse(String)
    case emptyRaw(name: String, server: String)
    case digestMismatch(expected: String, actual: String, against: String, kept: String)
    case io(String)

    var isTransient: Bool {
        switch self {
        case .refused, .timedOut, .unreachable, .reset, .closedEarly: return true
        case .httpStatus(let code, _, _, _): return code >= 500
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .source(let error): return error.description
        case .resolution(let host, let reason): return ResolutionError(host: host, reason: reason).description
        case .refused(let server): return "connection refused: nothing listens on \(server)"
        case .timedOut(let server, let timeout): return "\(server) sent nothing for \(DurationText.compact(timeout)) (try --timeout)"
        case .unreachable(let server, let reason): return "\(server) is unreachable: \(reason)"
        case .reset(let server): return "\(server) reset the connection"
        case .closedEarly(let received, let expected, let server):
            return "\(server) closed the connection after \(grouped(received))" + (expected.map { " of \(grouped($0))" } ?? "") + " bytes"
        case .httpStatus(let code, let reason, let path, let server): return "\(code) \(reason): \(path) on \(server)"
        case .tooManyRedirects(let limit): return "more than \(limit) redirects (--max-redirects)"
        case .badResponse(let why): return why
        case .emptyRaw(let name, let server):
            return "\(server) closed without sending a byte: no file '\(name)' there, or it was refused (the raw protocol has no error messages; see the server's log)"
        case .digestMismatch(let expected, let actual, let against, let kept):
            return "SHA-256 mismatch against \(against): expected \(expected), got \(actual); the download is kept as \(kept), not under its final name"
        case .io(let reason): return reason
        }
    }

    static func from(_ error: any Error, server: String, timeout: Duration) -> DownloadError {
        if let error = error as? DownloadError { return error }
        if error is StallError { return .timedOut(server, timeout) }
        if let error = error as? ResolutionError { return .resolution(host: error.host, reason: error.reason) }
        if case .connectTimeout(let amount)? = error as? ChannelError { return .timedOut(server, .nanoseconds(amount.nanoseconds)) }
        guard let io = error as? IOError else { return .io("\(server): \(error)") }
        switch io.errnoCode {
        case ECONNREFUSED: return .refused(server)
        case ECONNRESET, EPIPE: return .reset(server)
        case ENETUNREACH: return .unreachable(server, reason: "no route to that network")
        case EHOSTUNREACH: return .unreachable(server, reason: "no route to that host")
        case ETIMEDOUT: return .timedOut(server, timeout)
        default: return .io("\(server): \(String(cString: strerror(io.errnoCode)))")
        }
    }
}
