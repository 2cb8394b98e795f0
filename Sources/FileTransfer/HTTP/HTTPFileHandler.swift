import Addresses
import Endpoints
import NIOCore
import NIOHTTP1
import NIOPosix
import Rendering
import Serving

/// One HTTP/1.1 connection of `file-server`: GET and HEAD of files (whole, or one byte range)
/// and folder listings, each request logged. Files go out as a `FileRegion`, which NIO sends
/// with sendfile(2): the bytes never pass through this process. State is confined to the
/// connection's event loop; NIOHTTP1's pipeline handler hands over one request at a time.
final class HTTPFileHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let root: ServedRoot
    private let digests: DigestCache
    private let headGuard: RequestHeadGuard
    private let narrator: Narrator
    private let connection: ServedConnection
    /// Over TLS the bytes must be sealed in this process: files are read and written in chunks,
    /// since sendfile(2) would bypass the encryption.
    private let encrypted: Bool

    private var request: HTTPRequestHead?
    private var responding = false
    private var closeAfterResponse = false
    /// Over --max-connections: the request is read and answered with 503, then the connection closes.
    private var overLimit = false
    private var loggedMalformed = false

    init(root: ServedRoot, digests: DigestCache, registry: ConnectionRegistry, headGuard: RequestHeadGuard, encrypted: Bool,
         narrator: Narrator, onRequest: @escaping @Sendable (ServedRequest) -> Void) {
        self.root = root
        self.digests = digests
        self.headGuard = headGuard
        self.encrypted = encrypted
        self.narrator = narrator
        connection = ServedConnection(registry: registry, onRequest: onRequest)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard connection.admit(context) else {
            // Read the request and answer it with 503: a close before the request would reach the
            // client as a reset, with no reason given.
            overLimit = true
            context.fireChannelActive()
            return
        }
        narrator.step("accept() → new socket for \(connection.peer)", "a client connected; HTTP requests and responses now travel over this one connection")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            headGuard.headArrived()
            request = head
            connection.started = .now
            narrator.step("recv() → request head", "\(head.method) \(head.uri) \(head.version)")
            if head.method == .CONNECT {
                request = nil
                log(method: head.method.rawValue, path: head.uri, status: 405, bytes: 0, note: "a file server, not a proxy: no tunnels")
                return headGuard.answerAndClose(status: 405, reason: "Method Not Allowed", headers: [("allow", "GET, HEAD")],
                                                body: "405 Method Not Allowed: a file server, not a proxy: no tunnels\n")
            }
            if let (status, note, extra) = Self.earlyRefusal(head) {
                // Answered without reading the body, and closed: a body trickled a byte at a time
                // cannot hold the connection, and the unread rest cannot be taken for a request.
                request = nil
                responding = true
                closeAfterResponse = true
                simple(status, head: head, extra: extra, note: note, context: context)
            }
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            responding = true
            respond(to: head, context: context)
        }
    }

    /// A request answered at its head, before any body is read: a method other than GET and
    /// HEAD (CONNECT included) gets 405, a GET or HEAD with a body 413. Either way the connection
    /// closes after the answer, which also answers an `Expect: 100-continue`.
    static func earlyRefusal(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [(String, String)])? {
        guard head.method == .GET || head.method == .HEAD else {
            return (.methodNotAllowed, "only GET and HEAD are served", [("allow", "GET, HEAD")])
        }
        let length = head.headers["content-length"].first.flatMap { Int($0) } ?? 0
        if length > 0 || head.headers.contains(name: "transfer-encoding") {
            return (.payloadTooLarge, "a \(head.method) request carries no body here", [])
        }
        // RFC 9112 §3.2: an HTTP/1.1 request names exactly one Host.
        let hosts = head.headers["host"].count
        if head.version.major == 1 && head.version.minor >= 1 && hosts != 1 {
            return (.badRequest, hosts == 0 ? "an HTTP/1.1 request without a Host header" : "\(hosts) Host headers in one request", [])
        }
        return nil
    }

    /// What was wrong with a request NIOHTTP1's parser refused, as the log's note.
    static func malformedNote(_ error: HTTPParserError) -> String {
        switch error {
        case .unexpectedContentLength, .unknown, .invalidContentLength:
            return "malformed request: conflicting or invalid framing (two Content-Length headers, or Content-Length with "
                + "Transfer-Encoding: a request-smuggling attempt or a broken client)"
        case .invalidHeaderToken, .lfExpected, .invalidCharactersUsed, .strictModeAssertion:
            return "malformed request: a header line with a byte a header may not hold, or a folded (obs-fold) line"
        case .paused:
            return "not an HTTP/1.x request (an HTTP/2 connection preface? this server speaks HTTP/1.1 only)"
        case .invalidVersion, .invalidConstant:
            return "not an HTTP/1.x request line (an HTTP/0.9 request, or not HTTP at all)"
        case .headerOverflow:
            return "request head too large"
        case .invalidMethod:
            return "malformed request: not a method name"
        case .invalidURL:
            return "malformed request: not a request target"
        default:
            return "malformed HTTP request (\(error))"
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if overLimit {
            closeAfterResponse = true
            return simple(.serviceUnavailable, head: head, extra: [("retry-after", "1")], note: "over --max-connections", context: context)
        }
        let path: RequestPath
        let uriPath: String
        do {
            let target = try RequestPath.originForm(head.uri) { host, port in isOwnAuthority(host, port, head: head, context: context) }
            uriPath = String(target.prefix { $0 != "?" && $0 != "#" })
            path = try RequestPath.fromTarget(target, showHidden: root.showHidden)
        } catch {
            return simple(HTTPResponseStatus(statusCode: error.status), head: head, note: error.description, context: context)
        }
        // realpath, stat and reading a folder can block on a slow disk or take long on a huge
        // folder: they run on NIO's thread pool, so other connections on this loop go on.
        let root = self.root
        let wantsListing = uriPath.hasSuffix("/")
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { () -> (ServedRoot.Resolution, [ServedRoot.Entry]) in
            let resolution = root.resolve(path)
            guard case .directory(let info) = resolution, wantsListing else { return (resolution, []) }
            return (resolution, root.entries(of: info.path))
        }.whenComplete { result in
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            switch result {
            case .success(let (resolution, entries)):
                handler.answer(resolution, entries: entries, path: path, uriPath: uriPath, head: head, context: context)
            case .failure(let error):
                handler.simple(.internalServerError, head: head, note: "\(error)", context: context)
            }
        }
    }

    private func answer(_ resolution: ServedRoot.Resolution, entries: [ServedRoot.Entry], path: RequestPath, uriPath: String,
                        head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch resolution {
        case .directory:
            guard uriPath.hasSuffix("/") else {
                // Leading slashes collapse to one: `//sub/` would send a browser to host `sub`.
                let location = "/" + uriPath.drop { $0 == "/" } + "/"
                return simple(.movedPermanently, head: head, extra: [("location", location)], context: context)
            }
            let displayPath = "/" + path.relative + (path.components.isEmpty ? "" : "/")
            let wantsHTML = head.headers["accept"].contains { $0.contains("text/html") }
            let body = wantsHTML ? DirectoryListing.html(entries, path: displayPath) : DirectoryListing.text(entries, path: displayPath)
            send(status: .ok, head: head, contentType: wantsHTML ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
                 body: body, extra: [], note: nil, context: context)
        case .notFound:
            simple(.notFound, head: head, context: context)
        case .outside, .notRegular, .hiddenTarget:
            simple(.forbidden, head: head, note: resolution.refusal?.note, context: context)
        case .file where uriPath.hasSuffix("/"):
            simple(.notFound, head: head, note: "a file, not a folder: no '/' after its name", context: context)
        case .file(let info):
            serveFile(info, head: head, context: context)
        }
    }

    /// Whether an absolute-form target's host and port are this server: the address the
    /// connection came in on, `localhost`, or the request's own Host, on the port it came in on.
    private func isOwnAuthority(_ host: String, _ port: Int, head: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        guard let local = context.localAddress.flatMap(Endpoint.init), port == local.port else { return false }
        let hostHeader = head.headers["host"].first.map { value -> String in
            let text = value.lowercased()
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
            return String(text.prefix { $0 != ":" })
        }
        return host == "localhost" || IPAddress(host) == local.address || host == hostHeader
    }

    private func serveFile(_ info: FileInfo, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let entityTag = Validators.entityTag(for: info)
        let lastModified = HTTPDate.format(secondsSinceEpoch: info.modifiedSeconds)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        digests.digest(of: info, version: entityTag, on: context.eventLoop).whenComplete { digest in
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: ContentType.guess(info.path))
            headers.add(name: "last-modified", value: lastModified)
            headers.add(name: "etag", value: entityTag)
            headers.add(name: "accept-ranges", value: "bytes")
            if case .success(let sha256) = digest { headers.add(name: "repr-digest", value: "sha-256=:\(Base64.encode(sha256)):") }
            let honoursRange = Validators.ifRangeMatches(head.headers["if-range"].first, entityTag: entityTag, lastModified: lastModified)
            let range = honoursRange ? RangeRequest.parse(head.headers["range"].first, size: info.size) : .whole
            let status: HTTPResponseStatus
            let span: Range<Int>
            switch range {
            case .unsatisfiable:
                headers.add(name: "content-range", value: ContentRange.unsatisfiedHeader(size: info.size))
                return handler.simple(.rangeNotSatisfiable, head: head, extra: headers.map { ($0.name, $0.value) }, context: context)
            case .whole:
                status = .ok
                span = 0..<info.size
            case .partial(let bytes):
                status = .partialContent
                span = bytes.lowerBound..<(bytes.upperBound + 1)
                headers.add(name: "content-range", value: ContentRange.header(bytes, size: info.size))
            }
            handler.sendFile(info, span: span, status: status, headers: headers, head: head, context: context)
        }
    }

    private func sendFile(_ info: FileInfo, span: Range<Int>, status: HTTPResponseStatus, headers: HTTPHeaders,
                          head: HTTPRequestHead, context: ChannelHandlerContext) {
        var withLength = headers
        withLength.add(name: "content-length", value: String(span.count))
        let headers = withLength
        guard head.method == .GET && !span.isEmpty else {
            writeHead(status: status, headers: headers, head: head, context: context)
            return finish(head: head, status: status, bytes: 0, note: nil, context: context) {}
        }
        // open(2) too runs on the thread pool.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        NonBlockingFileIO(threadPool: .singleton).openFile(_deprecatedPath: info.path, eventLoop: context.eventLoop).whenComplete { opened in
            let (handler, context) = bound.value
            let fileHandle: NIOFileHandle
            switch opened {
            case .success(let (handle, _)):
                fileHandle = handle
            case .failure(let error):
                let code = (error as? IOError)?.errnoCode ?? EIO
                let reason = String(cString: strerror(code))
                switch code {
                case EMFILE, ENFILE:
                    // Out of descriptors for the moment: a client may retry, as with 503 over --max-connections.
                    return handler.simple(.serviceUnavailable, head: head, extra: [("retry-after", "1")],
                                          note: "cannot open the file now: \(reason) (raise `ulimit -n`)", context: context)
                case EACCES, EPERM:
                    return handler.simple(.forbidden, head: head, note: "cannot open it: \(reason)", context: context)
                default:
                    return handler.simple(.notFound, head: head, note: "cannot open it: \(reason)", context: context)
                }
            }
            guard context.channel.isActive else {
                try? fileHandle.close()
                return
            }
            handler.sendRegion(of: fileHandle, info: info, span: span, status: status, headers: headers, head: head, context: context)
        }
    }

    /// The head, then the body a piece at a time (`FileSender`): sendfile(2), or over TLS read and
    /// sealed in this process. A transfer cut short is logged with the bytes that went out.
    private func sendRegion(of fileHandle: NIOFileHandle, info: FileInfo, span: Range<Int>, status: HTTPResponseStatus,
                            headers: HTTPHeaders, head: HTTPRequestHead, context: ChannelHandlerContext) {
        writeHead(status: status, headers: headers, head: head, context: context)
        if encrypted {
            narrator.step("read() + write() through TLS (\(span.count) bytes of \(info.path))",
                          "over TLS each byte is encrypted in this process, so the file is read in chunks and sealed before it is sent; sendfile cannot be used")
        } else {
            narrator.step("sendfile(\(span.count) bytes of \(info.path))", "the kernel copies the file straight from the page cache to the socket; the bytes never enter this process")
            connection.watch(fileHandle, end: span.upperBound, context: context)
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        FileSender(fileHandle: fileHandle, span: span, encrypted: encrypted, wrap: { NIOAny(HTTPServerResponsePart.body($0)) }) { sent, failure in
            let (handler, context) = bound.value
            guard let failure else {
                return handler.finish(head: head, status: status, bytes: span.count, note: nil, context: context) { try? fileHandle.close() }
            }
            let watchNote = handler.connection.stopWatch()
            try? fileHandle.close()
            let ended = (failure as? FileSender.FileEnded).map { "the file ended after \($0.available) of \(span.count) bytes; truncated while sent?" }
            handler.connection.sent += sent
            handler.log(method: head.method.rawValue, path: head.uri, status: Int(status.code), bytes: sent, note: ended ?? watchNote)
            // Its Content-Length cannot be kept: the connection closes.
            handler.responding = false
            context.close(promise: nil)
        }.send(from: span.lowerBound, context: context)
    }

    /// A short answer: the status line, and for errors a one-line text body with the reason.
    private func simple(_ status: HTTPResponseStatus, head: HTTPRequestHead, extra: [(String, String)] = [],
                        note: String? = nil, context: ChannelHandlerContext) {
        let bodiless: [HTTPResponseStatus] = [.notModified, .rangeNotSatisfiable, .movedPermanently]
        let text = bodiless.contains(status) ? "" : "\(status.code) \(status.reasonPhrase)" + (note.map { ": \($0)" } ?? "") + "\n"
        send(status: status, head: head, contentType: "text/plain; charset=utf-8", body: text, extra: extra, note: note, context: context)
    }

    private func send(status: HTTPResponseStatus, head: HTTPRequestHead, contentType: String, body: String,
                      extra: [(String, String)], note: String?, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(extra)
        if !headers.contains(name: "content-type") { headers.add(name: "content-type", value: contentType) }
        let bytes = ByteBuffer(string: body)
        headers.add(name: "content-length", value: String(bytes.readableBytes))
        writeHead(status: status, headers: headers, head: head, context: context)
        let withBody = head.method != .HEAD && bytes.readableBytes > 0
        if withBody { context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil) }
        finish(head: head, status: status, bytes: withBody ? bytes.readableBytes : 0, note: note, context: context) {}
    }

    private func writeHead(status: HTTPResponseStatus, headers: HTTPHeaders, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = headers
        if !head.isKeepAlive || connection.shutDown {
            headers.replaceOrAdd(name: "connection", value: "close")
            closeAfterResponse = true
        }
        narrator.step("send() → response head", "HTTP/\(head.version.major).\(head.version.minor) \(status.code) \(status.reasonPhrase)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
    }

    /// Ends the response; once it is on its way, logs it and closes or waits for the next request.
    private func finish(head: HTTPRequestHead, status: HTTPResponseStatus, bytes: Int, note: String?, context: ChannelHandlerContext,
                        cleanup: @escaping () -> Void) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let cleanupBound = NIOLoopBound(cleanup, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { result in
            let (handler, context) = bound.value
            let failure = handler.connection.stopWatch()
            cleanupBound.value()
            let delivered = (try? result.get()) != nil
            if delivered { handler.connection.sent += bytes }
            handler.log(method: head.method.rawValue, path: head.uri, status: Int(status.code), bytes: delivered ? bytes : 0,
                        note: delivered ? note : failure)
            handler.responding = false
            handler.headGuard.responseFinished()
            if handler.closeAfterResponse || !delivered { context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is IdleStateHandler.IdleStateEvent where !responding:
            narrator.step("close() after idle timeout", "the client sent nothing for --idle-timeout")
            headGuard.idleTimeout()
        case ChannelEvent.inputClosed:
            // The client closed its side: once nothing is being answered there is nothing left
            // to do, and a socket kept open would wait in CLOSE_WAIT for the idle timeout.
            if responding { closeAfterResponse = true } else { context.close(promise: nil) }
        case is ShutdownRequest:
            connection.shutDownNow(context)
        case let refusal as HeadRefused:
            // The head guard answered a request that never reached the decoder.
            log(method: "-", path: "-", status: refusal.status, bytes: 0, note: refusal.note)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIOHTTP1's error handler has already answered a malformed request with 400.
        if let error = error as? HTTPParserError, !headGuard.refused, !loggedMalformed {
            // The parser may report more than once on one connection; its 400 goes out once.
            loggedMalformed = true
            log(method: "-", path: "-", status: 400, bytes: 0, note: Self.malformedNote(error))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.release()
        context.fireChannelInactive()
    }

    private func log(method: String, path: String, status: Int, bytes: Int, note: String?) {
        connection.log(method: method, path: path, status: status, bytes: bytes, note: note)
    }
}

/// Content-Type by file extension, for the handful of types browsers care about.
enum ContentType {
    private static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8",
        "md": "text/plain; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "xml": "application/xml", "csv": "text/csv; charset=utf-8",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "webp": "image/webp", "ico": "image/x-icon", "pdf": "application/pdf", "zip": "application/zip",
        "gz": "application/gzip", "tar": "application/x-tar", "wasm": "application/wasm", "mp4": "video/mp4",
        "mp3": "audio/mpeg", "pcap": "application/vnd.tcpdump.pcap",
    ]

    static func guess(_ path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "application/octet-stream" }
        return types[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
