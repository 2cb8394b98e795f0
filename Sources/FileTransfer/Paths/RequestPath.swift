import Rendering

/// Turns what a client asked for (an HTTP request target, or a raw-protocol file name) into
/// path components under the served root, or the reason it is refused. Pure: the symlink check
/// against the real file system is `ServedRoot`'s job.
public struct RequestPath: Equatable, Sendable {
    /// Components below the root, none of them empty, `.` or `..`.
    public let components: [String]

    public var relative: String { components.joined(separator: "/") }

    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case traversal
        case hidden(String)
        case forbiddenCharacter(String)
        /// An absolute-form target naming another server: this one is not a proxy.
        case otherHost(String)

        /// 403 for what is there but not served, 400 for what is not a usable path.
        public var status: Int {
            switch self {
            case .traversal, .hidden: return 403
            case .malformed, .forbiddenCharacter, .otherHost: return 400
            }
        }

        public var description: String {
            switch self {
            case .malformed(let why): return "malformed path: \(why)"
            case .traversal: return "'..' would leave the served folder"
            case .hidden(let name): return "'\(TerminalText.escape(name))' is hidden (served only with --show-hidden)"
            case .forbiddenCharacter(let what): return "the path contains \(what)"
            case .otherHost(let authority):
                return "the target names another server (\(authority)); this is a file server, not a proxy"
            }
        }
    }

    /// An HTTP request target: `/dir/file%20name.txt?query`. Percent-escapes are decoded first,
    /// so `%2e%2e%2f` is judged as the `../` it stands for.
    /// Cut and split on bytes, never on Characters: a character such as U+0600 joins the `/` or
    /// `?` after it into one grapheme cluster, which Character comparisons would not see.
    public static func fromTarget(_ target: String, showHidden: Bool) throws(Refusal) -> RequestPath {
        let bytes = Array(target.utf8)
        let path = bytes.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard path.first == UInt8(ascii: "/") else { throw .malformed("a request target starts with /") }
        let decoded = try percentDecoded(Array(path))
        return try fromDecoded(decoded, showHidden: showHidden)
    }

    /// The origin-form part (`/path?query`) of a request target. An absolute-form target
    /// (`http://host:port/path`, RFC 9112 §3.2.2) is accepted when `isOurs(host, port)` says its
    /// authority is this server; the port is 80 when the target names none.
    public static func originForm(_ target: String, isOurs: (_ host: String, _ port: Int) -> Bool) throws(Refusal) -> String {
        guard !target.hasPrefix("/") else { return target }
        let lowered = target.lowercased()
        guard lowered.hasPrefix("http://") else { throw .malformed("a request target starts with / (or is http://HOST/PATH)") }
        let rest = target.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let path = rest[authority.endIndex...]
        var host = Substring(authority)
        var port = 80
        if let close = authority.lastIndex(of: "]"), authority.hasPrefix("[") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) ?? -1 }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        }
        guard !host.isEmpty, isOurs(host.lowercased(), port) else { throw .otherHost(String(authority)) }
        return path.isEmpty || path.hasPrefix("?") ? "/" + path : String(path)
    }

    /// A raw-protocol file name, taken as sent (no percent-decoding); a leading `/` is not an
    /// absolute path but the root itself.
    public static func fromName(_ name: [UInt8], showHidden: Bool) throws(Refusal) -> RequestPath {
        try fromDecoded(name, showHidden: showHidden)
    }

    private static func fromDecoded(_ bytes: [UInt8], showHidden: Bool) throws(Refusal) -> RequestPath {
        if bytes.contains(0) { throw .forbiddenCharacter("a NUL byte") }
        if bytes.contains(UInt8(ascii: "\\")) { throw .forbiddenCharacter("a backslash") }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("not valid UTF-8") }
        var components: [String] = []
        let dot = UInt8(ascii: ".")
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual([dot]) { continue }
            if segment.elementsEqual([dot, dot]) { throw .traversal }
            let name = String(decoding: segment, as: UTF8.self)
            if segment.first == dot && !showHidden { throw .hidden(name) }
            components.append(name)
        }
        return RequestPath(components: components)
    }

    static func percentDecoded(_ bytes: [UInt8]) throws(Refusal) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%") else {
                result.append(byte)
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = Character(Unicode.Scalar(bytes[index + 1])).hexDigitValue,
                  let low = Character(Unicode.Scalar(bytes[index + 2])).hexDigitValue else {
                throw .malformed("'%' must be followed by two hex digits")
            }
            result.append(UInt8(high << 4 | low))
            index += 3
        }
        return result
    }
}
