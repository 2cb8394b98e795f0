import Endpoints
import NIOCore
import NIOHTTP1
import Rendering
import Serving
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 connection of `file-server`: GET and HEAD of files (whole, or one byte range)
/// and folder listings, each request logged. Files go out as a `FileRegion`, which NIO sends
/// with sendfile(2): the bytes never pass through this process. State is confined to the
/// connection's event loop; NIOHTTP1's pipeline handler hands over one request at a time.
final class HTTPFileHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let root: ServedRoot
    private let digests: DigestCache
    private let registry: ConnectionRegistry
    private let headGuard: RequestHeadGuard
    private let narrator: Narrator
    private let onRequest: @Sendable (ServedRequest) -> Void

    private var id: Int?
    private var peer = Endpoint(address: .v4(0), port: 0)
    private var request: HTTPRequestHead?
    private var started = ContinuousClock.now
    private var responding = false
    private var closeAfterResponse = false
    private var sentTotal = 0
    private var shutDown = false

    init(root: ServedRoot, digests: DigestCache, registry: ConnectionRegistry, headGuard: RequestHeadGuard,
         narrator: Narrator, onRequest: @escaping @Sendable (ServedRequest) -> Void) {
        self.root = root
        self.digests = digests
        self.registry = registry
        self.headGuard = headGuard
        self.narrator = narrator
        self.onRequest = onRequest
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.flatMap(Endpoint.init) ?? peer
        guard let (id, _) = registry.admit(context.channel) else {
            log(method: "-", path: "-", status: 503, bytes: 0, note: "over --max-connections; closed")
            context.close(promise: nil)
            return
        }
        self.id = id
        narrator.step("accept() → new socket for \(peer)", "a client connected; HTTP requests and responses now travel over this one connection")
        context.fireChannelActive()
    }

    /// Logs a request that the head guard refused before it reached the decoder.
    func headRefused(status: Int, note: String) {
        log(method: "-", path: "-", status: status, bytes: 0, note: note)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            headGuard.headArrived()
            request = head
            started = .now
            narrator.step("recv() → request head", "\(head.method) \(head.uri) \(head.version)")
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            responding = true
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else {
            return simple(405, "Method Not Allowed", head: head, extra: [("allow", "GET, HEAD")], context: context)
        }
        let path: RequestPath
        do {
            path = try RequestPath.fromTarget(head.uri, showHidden: root.showHidden)
        } catch {
            return simple(error.status, error.status == 403 ? "Forbidden" : "Bad Request", head: head, note: error.description, context: context)
        }
        let resolution = root.resolve(path)
        switch resolution {
        case .directory(let info):
            let uriPath = String(head.uri.prefix { $0 != "?" && $0 != "#" })
            guard uriPath.hasSuffix("/") else {
                return simple(301, "Moved Permanently", head: head, extra: [("location", uriPath + "/")], context: context)
            }
            let entries = root.entries(of: info.path)
            let displayPath = "/" + path.relative + (path.components.isEmpty ? "" : "/")
            let wantsHTML = head.headers["accept"].contains { $0.contains("text/html") }
            let body = wantsHTML ? DirectoryListing.html(entries, path: displayPath) : DirectoryListing.text(entries, path: displayPath)
            send(status: .ok, head: head, contentType: wantsHTML ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
                 body: body, extra: [], note: nil, context: context)
        case .notFound:
            simple(404, "Not Found", head: head, context: context)
        case .outside, .notRegular:
            simple(403, "Forbidden", head: head, note: resolution.refusal?.note, context: context)
        case .file(let info):
            serveFile(info, head: head, context: context)
        }
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
                return handler.simple(416, "Range Not Satisfiable", head: head, extra: headers.map { ($0.name, $0.value) }, context: context)
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
        var headers = headers
        headers.add(name: "content-length", value: String(span.count))
        let body = head.method == .GET && !span.isEmpty
        var fileHandle: NIOFileHandle?
        if body {
            let fd = open(info.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                return simple(404, "Not Found", head: head, note: "cannot open: \(String(cString: strerror(errno)))", context: context)
            }
            fileHandle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
        }
        writeHead(status: status, headers: headers, head: head, context: context)
        if let fileHandle {
            narrator.step("sendfile(\(span.count) bytes of \(info.path))", "the kernel copies the file straight from the page cache to the socket; the bytes never enter this process")
            let region = FileRegion(fileHandle: fileHandle, readerIndex: span.lowerBound, endIndex: span.upperBound)
            context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
        }
        finish(head: head, status: Int(status.code), bytes: body ? span.count : 0, note: nil, context: context) {
            try? fileHandle?.close()
        }
    }

    private func simple(_ code: Int, _ reason: String, head: HTTPRequestHead, extra: [(String, String)] = [],
                        note: String? = nil, context: ChannelHandlerContext) {
        let status = HTTPResponseStatus(statusCode: code, reasonPhrase: reason)
        let text = code == 304 || code == 416 || code == 301 ? "" : "\(code) \(reason)" + (note.map { ": \($0)" } ?? "") + "\n"
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
        finish(head: head, status: Int(status.code), bytes: withBody ? bytes.readableBytes : 0, note: note, context: context) {}
    }

    private func writeHead(status: HTTPResponseStatus, headers: HTTPHeaders, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = headers
        if !head.isKeepAlive || shutDown {
            headers.replaceOrAdd(name: "connection", value: "close")
            closeAfterResponse = true
        }
        narrator.step("send() → response head", "HTTP/\(head.version.major).\(head.version.minor) \(status.code) \(status.reasonPhrase)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
    }

    /// Ends the response; once it is on its way, logs it and closes or waits for the next request.
    private func finish(head: HTTPRequestHead, status: Int, bytes: Int, note: String?, context: ChannelHandlerContext,
                        cleanup: @escaping () -> Void) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let cleanupBound = NIOLoopBound(cleanup, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { result in
            let (handler, context) = bound.value
            cleanupBound.value()
            let delivered = (try? result.get()) != nil
            if delivered { handler.sentTotal += bytes }
            handler.log(method: head.method.rawValue, path: head.uri, status: status, bytes: delivered ? bytes : 0,
                        note: delivered ? note : "the client went away mid-transfer")
            handler.responding = false
            handler.headGuard.responseFinished()
            if handler.closeAfterResponse || !delivered { context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is IdleStateHandler.IdleStateEvent where !responding:
            narrator.step("close() after idle timeout", "the client sent nothing for --idle-timeout")
            context.close(promise: nil)
        case is ShutdownRequest:
            shutDown = true
            if !responding { context.close(promise: nil) } else { closeAfterResponse = true }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIOHTTP1's error handler has already answered a malformed request with 400.
        if error is HTTPParserError { log(method: "-", path: "-", status: 400, bytes: 0, note: "malformed HTTP request (\(error))") }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id { registry.release(id: id, bytes: sentTotal, closedByServer: shutDown) }
        context.fireChannelInactive()
    }

    private func log(method: String, path: String, status: Int, bytes: Int, note: String?) {
        onRequest(ServedRequest(peer: peer, method: method, path: path, status: status, bytes: bytes,
                                duration: .now - started, note: note))
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
