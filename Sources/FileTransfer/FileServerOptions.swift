import Endpoints
import Serving

public struct FileServerOptions: Sendable {
    public enum WireProtocol: String, Sendable, CaseIterable {
        case http, raw
    }

    public var listen = ListenOptions()
    public var root = "."
    public var wireProtocol = WireProtocol.http
    public var showHidden = false
    /// A connection that sends nothing for this long (or takes this long over one request
    /// head) is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// How long the raw protocol waits after the first bytes of a name that ends with neither
    /// a newline nor a half-close.
    public var rawNamePause: Duration = .milliseconds(500)
    public static let maxHeadBytes = 8 * 1024

    public init() {}
}

/// One request as the server logs it.
public struct ServedRequest: Sendable {
    public let peer: Endpoint
    /// GET, HEAD, or RAW for the lesson protocol.
    public let method: String
    public let path: String
    /// The HTTP status; for the raw protocol 200 when the file was sent, else 404/403/400.
    public let status: Int
    /// Body bytes sent.
    public let bytes: Int
    public let duration: Duration
    /// Why a request was refused or cut short, in a few words.
    public let note: String?
}
