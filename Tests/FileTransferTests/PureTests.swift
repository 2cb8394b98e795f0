import FileTransfer
import Testing

@Suite("Range requests and Content-Range (RFC 9110)")
struct ByteRangeTests {
    @Test("single ranges: first-last, open-ended, suffix; the end is clamped to the size", arguments: [
        ("bytes=0-99", RangeRequest.partial(0...99)),
        ("bytes=100-", .partial(100...999)),
        ("bytes=-100", .partial(900...999)),
        ("bytes=-5000", .partial(0...999)),
        ("bytes=990-5000", .partial(990...999)),
        ("bytes = 5-5", .whole),
        ("BYTES=5-5", .partial(5...5)),
        ("bytes=10-99999999999999999999", .partial(10...999)),
        ("bytes=-99999999999999999999", .partial(0...999)),
    ])
    func satisfiable(header: String, expected: RangeRequest) {
        #expect(RangeRequest.parse(header, size: 1000) == expected)
    }

    @Test("ranges past the end are unsatisfiable (416), however large the number", arguments: [
        "bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=9223372036854775807-", "bytes=99999999999999999999-",
        "bytes=99999999999999999999-99999999999999999999",
    ])
    func unsatisfiable(header: String) {
        #expect(RangeRequest.parse(header, size: 1000) == .unsatisfiable)
        #expect(RangeRequest.parse("bytes=0-", size: 0) == .unsatisfiable)
    }

    @Test("malformed headers and multiple ranges are ignored: the whole file, 200", arguments: [
        "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "items=0-1", "bytes=0-1,5-6",
    ])
    func ignored(header: String) {
        #expect(RangeRequest.parse(header, size: 1000) == .whole)
        #expect(RangeRequest.parse(nil, size: 1000) == .whole)
    }

    @Test("Content-Range made and read back")
    func contentRange() throws {
        #expect(ContentRange.header(100...199, size: 1000) == "bytes 100-199/1000")
        #expect(ContentRange.unsatisfiedHeader(size: 1000) == "bytes */1000")
        let parsed = try #require(ContentRange.parse("bytes 100-199/1000"))
        #expect(parsed.range == 100...199 && parsed.size == 1000)
        #expect(ContentRange.parse("bytes 0-9/*")?.size == nil)
        #expect(ContentRange.parse("bytes 0-1000/1000") == nil)
        #expect(ContentRange.parse("bytes 9-0/1000") == nil)
        #expect(ContentRange.parse("items 0-1/2") == nil)
    }
}

@Suite("Request paths: nothing outside the served folder")
struct RequestPathTests {
    @Test("ordinary targets, with percent-escapes decoded and the query dropped")
    func ordinary() throws {
        #expect(try RequestPath.fromTarget("/", showHidden: false).components == [])
        #expect(try RequestPath.fromTarget("/docs/read%20me.txt?x=1", showHidden: false).components == ["docs", "read me.txt"])
        #expect(try RequestPath.fromTarget("/a//b/./c", showHidden: false).components == ["a", "b", "c"])
        #expect(try RequestPath.fromTarget("/....//x", showHidden: true).components == ["....", "x"])
        #expect(try RequestPath.fromTarget("/a\u{600}?/x", showHidden: false).components == ["a\u{600}"])
    }

    @Test("traversal in every spelling is refused", arguments: [
        "/../etc/passwd", "/a/../../etc/passwd", "/..%2fetc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc",
        "/a/%2e%2e/%2e%2e/b",
    ])
    func traversal(target: String) {
        #expect(throws: RequestPath.Refusal.traversal) { try RequestPath.fromTarget(target, showHidden: true) }
    }

    @Test("NUL, backslashes, bad escapes and relative targets are refused")
    func forbidden() {
        #expect(throws: RequestPath.Refusal.forbiddenCharacter("a NUL byte")) { try RequestPath.fromTarget("/a%00.txt", showHidden: false) }
        #expect(throws: RequestPath.Refusal.forbiddenCharacter("a backslash")) { try RequestPath.fromTarget("/..%5c..%5cwindows", showHidden: false) }
        #expect(throws: RequestPath.Refusal.self) { try RequestPath.fromTarget("/bad%zz", showHidden: false) }
        #expect(throws: RequestPath.Refusal.self) { try RequestPath.fromTarget("/trailing%2", showHidden: false) }
        #expect(throws: RequestPath.Refusal.self) { try RequestPath.fromTarget("etc/passwd", showHidden: false) }
        #expect(throws: RequestPath.Refusal.self) { try RequestPath.fromTarget("/%ff%fe", showHidden: false) }
    }

    @Test("hidden files only with --show-hidden")
    func hidden() throws {
        #expect(throws: RequestPath.Refusal.hidden(".git")) { try RequestPath.fromTarget("/.git/config", showHidden: false) }
        #expect(throws: RequestPath.Refusal.hidden(".env")) { try RequestPath.fromTarget("/app/%2eenv", showHidden: false) }
        #expect(try RequestPath.fromTarget("/.env", showHidden: true).components == [".env"])
    }

    // Found by fuzz-request-path: U+0600 (a "prepend" character) joins the `/` after it into one
    // Character, so splitting on Characters kept "؀/.." as one harmless-looking segment.
    @Test("a slash is a separator whatever character comes before it", arguments: [
        "/a/\u{600}/./c", "/\u{600}/../etc/passwd", "/x%D8%80%2F..%2F..%2Fetc", "/\u{600}/..",
    ])
    func separatorAfterPrependCharacter(target: String) {
        let path = try? RequestPath.fromTarget(target, showHidden: true)
        if let path {
            #expect(!path.components.contains { $0 == ".." || $0.utf8.contains(UInt8(ascii: "/")) }, "\(path.components)")
        }
        if target.contains("..") { #expect(path == nil, "\(target.debugDescription) was not refused") }
    }

    @Test("raw-protocol names are taken as sent, an absolute name stays inside the root")
    func rawNames() throws {
        #expect(try RequestPath.fromName(Array("/etc/passwd".utf8), showHidden: false).components == ["etc", "passwd"])
        #expect(try RequestPath.fromName(Array("a%2e%2e".utf8), showHidden: false).components == ["a%2e%2e"])
        #expect(throws: RequestPath.Refusal.traversal) { try RequestPath.fromName(Array("../x".utf8), showHidden: false) }
    }
}

@Suite("The raw protocol's file-name framing")
struct RawRequestTests {
    @Test("a name ends at its newline, even split over reads; CR before it is dropped")
    func newline() throws {
        var request = RawRequest()
        #expect(try request.append(Array("hel".utf8)) == nil)
        #expect(request.hasStarted)
        #expect(try request.append(Array("lo.txt\r\nignored".utf8)) == Array("hello.txt".utf8))
    }

    @Test("without a newline the name is what came before the half-close or pause")
    func finish() throws {
        var request = RawRequest()
        _ = try request.append(Array("notes.txt".utf8))
        #expect(try request.finish() == Array("notes.txt".utf8))
        #expect(throws: RawRequest.Failure.empty) { try RawRequest().finish() }
    }

    @Test("an endless name is refused")
    func tooLong() {
        var request = RawRequest()
        #expect(throws: RawRequest.Failure.tooLong) {
            try request.append([UInt8](repeating: 0x61, count: RawRequest.maxNameLength + 1))
        }
    }
}

@Suite("Validators and dates")
struct ValidatorTests {
    @Test("HTTP dates in IMF-fixdate form")
    func dates() {
        #expect(HTTPDate.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 1_709_210_096) == "Thu, 29 Feb 2024 12:34:56 GMT")
    }

    @Test("If-Range lets a range through only for the current version")
    func ifRange() {
        let tag = "\"1-2-3\"", date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(Validators.ifRangeMatches(nil, entityTag: tag, lastModified: date))
        #expect(Validators.ifRangeMatches(tag, entityTag: tag, lastModified: date))
        #expect(Validators.ifRangeMatches(date, entityTag: tag, lastModified: date))
        #expect(!Validators.ifRangeMatches("\"1-2-4\"", entityTag: tag, lastModified: date))
        #expect(!Validators.ifRangeMatches("W/\(tag)", entityTag: tag, lastModified: date))
        #expect(!Validators.ifRangeMatches("Mon, 07 Nov 1994 08:49:37 GMT", entityTag: tag, lastModified: date))
    }
}

@Suite("Download sources")
struct DownloadSourceTests {
    @Test("http and raw URLs: hosts, IPv6 literals, ports, targets")
    func parse() throws {
        let plain = try DownloadSource.parse("http://example.test/dir/file%20one.txt?x=1#frag")
        #expect(plain == DownloadSource(scheme: .http, host: "example.test", port: 80, target: "/dir/file%20one.txt?x=1"))
        #expect(plain.suggestedFileName == "file one.txt")
        #expect(plain.hostHeader == "example.test")
        let v6 = try DownloadSource.parse("http://[::1]:8080")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.target == "/")
        #expect(v6.hostHeader == "[::1]:8080")
        #expect(v6.suggestedFileName == "index.html")
        let raw = try DownloadSource.parse("raw://127.0.0.1:9000/notes.txt")
        #expect(raw.scheme == .raw && raw.target == "notes.txt")
    }

    @Test("what is refused, with a sentence each")
    func refused() {
        #expect(throws: DownloadSource.ParseError.unsupportedScheme("gopher")) { try DownloadSource.parse("gopher://x/y") }
        #expect(throws: DownloadSource.ParseError.unsupportedScheme("ftp")) { try DownloadSource.parse("ftp://x/y") }
        #expect(throws: DownloadSource.ParseError.self) { try DownloadSource.parse("raw://127.0.0.1/name") }
        #expect(throws: DownloadSource.ParseError.self) { try DownloadSource.parse("raw://127.0.0.1:9000/") }
        #expect(throws: DownloadSource.ParseError.self) { try DownloadSource.parse("http://host:99999/") }
        #expect(throws: DownloadSource.ParseError.self) { try DownloadSource.parse("http://user:pw@host/") }
        #expect(throws: DownloadSource.ParseError.self) { try DownloadSource.parse("example.test/file") }
        #expect(DownloadSource.ParseError.unsupportedScheme("ftp").description.contains("give http[s]://HOST[:PORT]/PATH"))
        let https = try? DownloadSource.parse("https://x/y")
        #expect(https?.scheme == .https && https?.port == 443 && https?.hostHeader == "x")
    }

    @Test("redirect targets: absolute URL, absolute path, relative path")
    func redirects() throws {
        let base = try DownloadSource.parse("http://h:8080/a/b/c.txt")
        #expect(try base.resolving(location: "/x").target == "/x")
        #expect(try base.resolving(location: "d.txt").target == "/a/b/d.txt")
        #expect(try base.resolving(location: "http://other:81/y") == DownloadSource(scheme: .http, host: "other", port: 81, target: "/y"))
        // Found by fuzz-download-source: a relative Location against a target with no `/` trapped.
        let raw = try DownloadSource.parse("raw://[::1]:9000/?notes.txt")
        #expect(try raw.resolving(location: "other.txt").target == "/other.txt")
    }

    @Test("a Location naming a scheme is never taken for a path; //host/path keeps the scheme")
    func redirectSchemes() throws {
        let base = try DownloadSource.parse("https://h/a/b.txt")
        #expect(throws: DownloadSource.ParseError.unsupportedScheme("file")) { try base.resolving(location: "file:/etc/passwd") }
        #expect(throws: DownloadSource.ParseError.unsupportedScheme("javascript")) { try base.resolving(location: "JavaScript:alert(1)") }
        #expect(throws: DownloadSource.ParseError.unsupportedScheme("ftp")) { try base.resolving(location: "ftp://h/x") }
        #expect(try base.resolving(location: "//other:8443/y") == DownloadSource(scheme: .https, host: "other", port: 8443, target: "/y"))
        // A colon after a `/` or in a first segment that is not a scheme name: still a path.
        #expect(try base.resolving(location: "c/d:e").target == "/a/c/d:e")
        #expect(try base.resolving(location: "1a:b").target == "/a/1a:b")
        #expect(try base.resolving(location: "/x:y").target == "/x:y")
        // Controls, spaces and non-ASCII never reach the request line raw.
        #expect(try base.resolving(location: "/a b\u{9b}\u{1b}[2J").target == "/a%20b%C2%9B%1B[2J")
    }

    @Test("a saved name never climbs out of the folder", arguments: [
        "/..", "/%2e%2e", "/a/..%2f..%2fetc", "/", "/%D8%80%2F..%D8%80%2Fx", "/a/\u{600}/name",
    ])
    func suggestedName(target: String) {
        let name = DownloadSource(scheme: .http, host: "h", port: 80, target: target).suggestedFileName
        #expect(!name.utf8.contains(UInt8(ascii: "/")) && name != ".." && !name.isEmpty, "\(name.debugDescription)")
    }
}

@Suite("Request targets")
struct RequestTargetTests {
    let ours: (String, Int) -> Bool = { host, port in host == "127.0.0.1" && port == 8080 }

    @Test("origin-form passes; absolute-form for this server becomes its path; another host is refused")
    func originForm() throws {
        #expect(try RequestPath.originForm("/a?b", isOurs: ours) == "/a?b")
        #expect(try RequestPath.originForm("http://127.0.0.1:8080/a.txt", isOurs: ours) == "/a.txt")
        #expect(try RequestPath.originForm("HTTP://127.0.0.1:8080", isOurs: ours) == "/")
        #expect(try RequestPath.originForm("http://127.0.0.1:8080?q", isOurs: ours) == "/?q")
        #expect(throws: RequestPath.Refusal.otherHost("example.com")) { try RequestPath.originForm("http://example.com/a", isOurs: ours) }
        #expect(throws: RequestPath.Refusal.otherHost("127.0.0.1:9")) { try RequestPath.originForm("http://127.0.0.1:9/a", isOurs: ours) }
        #expect(throws: RequestPath.Refusal.self) { try RequestPath.originForm("*", isOurs: ours) }
        #expect(RequestPath.Refusal.otherHost("x").status == 400)
    }
}
