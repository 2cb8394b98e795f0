import Endpoints
import NIOCore
import NIOHTTP1
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can stop a download, as a sentence; `isTransient` ones are retried.
public enum DownloadError: CommandFailure, Sendable {
    case source(DownloadSource.ParseError)
    /// Resolution, refusal, handshake timeout, reset, unreachable: shared with every command.
    case network(NetworkError)
    /// The transfer stalled: nothing arrived for --timeout.
    case timedOut(String, Duration)
    case closedEarly(received: Int, expected: Int?, from: String)
    /// The connection ended before the response head was complete: as transient as a cut body.
    case cutBeforeBody(String)
    case httpStatus(code: Int, reason: String, path: String, server: Endpoint)
    case tooManyRedirects(Int)
    case badResponse(String)
    case emptyRaw(name: String, server: String)
    case digestMismatch(expected: String, actual: String, against: String, kept: String)
    /// The part file or its sidecar is a symbolic link nettool did not make.
    case refusedLink(String)
    case tooLarge(limit: Int, announced: Int?)
    case io(String)

    /// Worth another attempt: a cut, a stall, a 5xx, a path that may be back. Not a refusal:
    /// nothing listens there, and a moment later that is as true (curl does not retry it either).
    var isTransient: Bool {
        switch self {
        case .network(.refused): return false
        case .network(let error): return error.isTransient
        case .timedOut, .closedEarly, .cutBeforeBody: return true
        case .httpStatus(let code, _, _, _): return (500..<600).contains(code)
        default: return false
        }
    }

    /// The table's status, as every command: refused 4, timed out 5, unreachable 6, cut
    /// short 7, TLS 8; HTTP errors, mismatches and local trouble 1.
    public var exitStatus: ExitStatus {
        switch self {
        case .network(let error): return error.exitStatus
        case .timedOut: return .timedOut
        case .closedEarly, .cutBeforeBody: return .closedEarly
        default: return .failure
        }
    }

    public var endpoint: Endpoint? {
        switch self {
        case .network(let error): return error.endpoint
        case .httpStatus(_, _, _, let server): return server
        default: return nil
        }
    }

    public var httpStatus: Int? {
        if case .httpStatus(let code, _, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .source(let error): return error.description
        case .network(let error): return error.description
        case .timedOut(let server, let timeout): return "\(server) sent nothing for \(DurationText.compact(timeout)) (try --timeout)"
        case .closedEarly(let received, let expected, let server):
            return "\(server) closed the connection after \(grouped(received))" + (expected.map { " of \(grouped($0))" } ?? "") + " bytes"
        case .cutBeforeBody(let why): return why
        case .httpStatus(let code, let reason, let path, let server):
            // The reason phrase is the server's own text: escaped, and named when missing.
            let phrase = reason.isEmpty ? "(no reason given)" : TerminalText.escape(reason)
            return "\(code) \(phrase): \(TerminalText.escape(path)) on \(server)"
                + ((100..<600).contains(code) ? "" : " (\(code) is not an HTTP status code)")
        case .tooManyRedirects(let limit): return "more than \(limit) redirects (--max-redirects)"
        case .badResponse(let why): return why
        case .emptyRaw(let name, let server):
            return "\(server) closed without sending a byte: no file '\(TerminalText.escape(name))' there, or it was refused (the raw protocol has no error messages; see the server's log)"
        case .digestMismatch(let expected, let actual, let against, let kept):
            return "SHA-256 mismatch against \(against): expected \(expected), got \(actual); the download is kept as \(kept), not under its final name"
        case .refusedLink(let path):
            return "\(path) is a symbolic link; download never writes through a link it did not make. Remove it, or choose another name with -o"
        case .tooLarge(let limit, let announced):
            return (announced.map { "the server announced \(grouped($0)) bytes, more than" } ?? "the body passed")
                + " --max-size \(grouped(limit)) bytes; stopped, and nothing was kept"
        case .io(let reason): return reason
        }
    }

    static func from(_ error: any Error, server: Endpoint, timeout: Duration) -> DownloadError {
        if let error = error as? DownloadError { return error }
        if error is StallError { return .timedOut(server.description, timeout) }
        if let error = error as? HTTPParserError {
            if case .invalidEOFState = error { return .cutBeforeBody("\(server) closed the connection in the middle of the response head") }
            return .badResponse(sentence(error, server: server.description))
        }
        return .network(NetworkError.from(error, endpoint: server, transport: .tcp) ?? .io("\(server): \(error)"))
    }

    /// What NIOHTTP1's parser found wrong with a response, as a sentence about the server.
    static func sentence(_ error: HTTPParserError, server: String) -> String {
        switch error {
        case .invalidConstant, .invalidVersion:
            return "\(server) did not answer in HTTP/1.x: no status line (an HTTP/0.9 server, or not HTTP at all)"
        case .unknown, .unexpectedContentLength, .invalidContentLength:
            return "\(server) sent a response with conflicting or invalid framing (for example both Content-Length and "
                + "Transfer-Encoding: chunked, which RFC 9112 forbids); it cannot be read safely, so nothing was kept"
        case .lfExpected, .invalidHeaderToken, .invalidCharactersUsed, .strictModeAssertion:
            return "\(server) sent a malformed header line (a bare CR or LF, or a byte a header may not hold)"
        case .headerOverflow:
            return "\(server) sent a response head larger than 80 KiB; a real server's head is a few hundred bytes, "
                + "so it was not read further and nothing was kept"
        case .invalidChunkSize:
            return "\(server) sent a chunked body with a chunk size that is not a hexadecimal number that fits in 64 bits; "
                + "the rest cannot be framed, so nothing was kept"
        case .invalidStatus:
            return "\(server) sent a status that is not a three-digit number"
        default:
            return "\(server) sent a malformed HTTP response (\(error))"
        }
    }
}
