import Rendering

/// What `download` fetches: `http[s]://host[:port]/path` or `raw://host:port/name`. Pure.
public struct DownloadSource: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https, raw

        var defaultPort: Int? { self == .http ? 80 : self == .https ? 443 : nil }
    }

    public let scheme: Scheme
    public let host: String
    public let port: Int
    /// For HTTP the request target (`/path?query`, percent-escapes kept); for raw the file name.
    public let target: String

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case unsupportedScheme(String)
        case malformed(String)
        /// The name the URL would save under holds control characters.
        case unsafeName(String)
        /// `-o` names a folder.
        case outputIsFolder(String)

        public var description: String {
            switch self {
            case .unsupportedScheme(let scheme):
                return "\(scheme):// is not a source download knows; give http[s]://HOST[:PORT]/PATH or raw://HOST:PORT/NAME"
            case .malformed(let why):
                return why
            case .unsafeName(let name):
                return "the file name in the URL, '\(TerminalText.escape(name))', holds control characters, which would end up "
                    + "in a file name; choose a name with -o NAME"
            case .outputIsFolder(let path):
                return "-o \(path) is a folder; name the file to save, e.g. -o \(path.hasSuffix("/") ? path : path + "/")NAME"
            }
        }
    }

    public init(scheme: Scheme, host: String, port: Int, target: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.target = target
    }

    public static func parse(_ text: String) throws(ParseError) -> DownloadSource {
        if let bad = text.unicodeScalars.first(where: { $0 == " " || $0 == "\\" || TerminalText.isControl($0) }) {
            let what = bad == " " ? "a space (write it as %20)" : bad == "\\" ? "a backslash (write / between segments, or %5C)"
                : "a control character (\(TerminalText.escape(String(bad))))"
            throw .malformed("'\(TerminalText.escape(text))' contains \(what), which a URL may not hold")
        }
        guard let separator = text.range(of: "://") else {
            throw .malformed("'\(TerminalText.escape(text))' is not a URL; give http[s]://HOST[:PORT]/PATH or raw://HOST:PORT/NAME")
        }
        let schemeText = text[..<separator.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else { throw .unsupportedScheme(schemeText) }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var target = String(rest[authority.endIndex...].prefix { $0 != "#" })
        guard !authority.isEmpty, !authority.contains("@") else { throw .malformed("'\(TerminalText.escape(text))' names no host (user:password@ is not supported)") }
        let host: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .malformed("'\(TerminalText.escape(String(authority)))': an IPv6 address needs its closing ]") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .malformed("'\(TerminalText.escape(String(authority)))': unexpected text after the address") }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        let port: Int
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .malformed("'\(TerminalText.escape(String(portText)))' is not a port (1-65535)") }
            port = value
        } else {
            guard let standard = scheme.defaultPort else { throw .malformed("raw:// needs a port: raw://HOST:PORT/NAME") }
            port = standard
        }
        if scheme == .raw {
            target = String(target.drop { $0 == "/" })
            guard !target.isEmpty else { throw .malformed("raw:// needs a file name: raw://HOST:PORT/NAME") }
        } else if target.isEmpty || target.hasPrefix("?") {
            target = "/" + target
        }
        return DownloadSource(scheme: scheme, host: String(host), port: port, target: target)
    }

    /// The file name to save under when no -o is given: the last path segment, decoded, or
    /// index.html for a folder.
    public var suggestedFileName: String {
        let path = target.prefix { $0 != "?" }
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let decoded = (try? RequestPath.percentDecoded(Array(last.utf8))).flatMap { String(validating: $0, as: UTF8.self) } ?? last
        // Bytes, not Characters: U+0600 and its kind join the `/` after them into one Character.
        guard !decoded.isEmpty, decoded != ".", decoded != "..", !decoded.utf8.contains(UInt8(ascii: "/")), !decoded.utf8.contains(0) else {
            return "index.html"
        }
        return decoded
    }

    /// `suggestedFileName`, refused when decoding put control characters (ESC, a newline…) in it:
    /// such a name would be a trap in every later `ls`.
    public func savedName() throws(ParseError) -> String {
        let name = suggestedFileName
        guard !name.unicodeScalars.contains(where: TerminalText.isControl) else { throw .unsafeName(name) }
        return name
    }

    /// `host:port` as the Host header wants it.
    public var hostHeader: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    /// A Location header's value resolved against this source (absolute URL or absolute path).
    public func resolving(location: String) throws(ParseError) -> DownloadSource {
        // As curl does: bytes a request target may not carry (controls, spaces, non-ASCII) are
        // percent-encoded, so a hostile Location cannot put them on the request line.
        let location = Self.percentEncodingUnsafe(location)
        if let named = Self.absoluteScheme(of: location) {
            // `file:/etc/passwd` names a scheme as surely as `ftp://host/`: never a path here.
            guard location.hasPrefix(named + "://") else { throw .unsupportedScheme(named.lowercased()) }
            return try Self.parse(location)
        }
        if location.hasPrefix("//") { return try Self.parse(scheme.rawValue + ":" + location) }
        guard location.hasPrefix("/") else {
            let base = target.prefix { $0 != "?" }
            let folder = base.lastIndex(of: "/").map { base[...$0] } ?? "/"
            return DownloadSource(scheme: scheme, host: host, port: port, target: folder + location)
        }
        return DownloadSource(scheme: scheme, host: host, port: port, target: location)
    }

    static func percentEncodingUnsafe(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else { return text }
        var result = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7F {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    /// The scheme an absolute URL starts with (RFC 3986: a letter, then letters, digits, `+`,
    /// `-` or `.`, then `:`); nil for a relative reference.
    static func absoluteScheme(of reference: String) -> String? {
        let name = reference.unicodeScalars.prefix { $0 != ":" && $0 != "/" && $0 != "?" && $0 != "#" }
        guard name.count < reference.unicodeScalars.count, reference.unicodeScalars[name.endIndex] == ":",
              let first = name.first, first.isASCIILetter,
              name.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) }) else { return nil }
        return String(String.UnicodeScalarView(name))
    }

    public var description: String {
        "\(scheme.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)" + (scheme == .raw ? "/" : "") + target
    }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
