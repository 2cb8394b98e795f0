/// The lesson protocol's request: a file name in UTF-8 that ends at `\n` (a `\r` before it is
/// dropped), at the client's half-close, or after a pause (the classic course client sends the
/// name and waits, with neither). Bytes in, the name out, no I/O; the pause is the caller's
/// timer. Pure.
public struct RawRequest: Sendable {
    public static let maxNameLength = 4096

    public enum Failure: Error, Equatable, Sendable {
        case tooLong
        case empty

        /// Why the request is refused; `end` says what ended the name (newline, half-close, pause).
        public func reason(end: String) -> String {
            switch self {
            case .tooLong: return "file name over \(RawRequest.maxNameLength) bytes"
            case .empty: return "no file name before \(end)"
            }
        }
    }

    private var bytes: [UInt8] = []

    public init() {}

    /// Whether any byte of the name has arrived (the pause timer starts then).
    public var hasStarted: Bool { !bytes.isEmpty }

    /// Adds received bytes; the name once its newline has arrived, else nil.
    public mutating func append(_ received: some Collection<UInt8>) throws(Failure) -> [UInt8]? {
        if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
            bytes.append(contentsOf: received[..<newline])
            return try finish()
        }
        bytes.append(contentsOf: received)
        if bytes.count > Self.maxNameLength { throw .tooLong }
        return nil
    }

    /// The name as it stands: at half-close, or when the pause is over.
    public func finish() throws(Failure) -> [UInt8] {
        var name = bytes
        if name.last == UInt8(ascii: "\r") { name.removeLast() }
        guard name.count <= Self.maxNameLength else { throw .tooLong }
        guard !name.isEmpty else { throw .empty }
        return name
    }
}
