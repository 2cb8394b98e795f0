import Endpoints
import NIOCore
import NIOPosix
import Rendering
import Serving

/// One connection of the lesson protocol: read a file name, send the file's bytes, close. A
/// missing or refused file is answered by closing without a byte, as the classic protocol
/// does; the log says why.
final class RawFileHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = IOData

    private let root: ServedRoot
    private let pauseAfterName: TimeAmount
    private let narrator: Narrator
    private let connection: ServedConnection

    private var request = RawRequest()
    private var pause: Scheduled<Void>?
    private var answered = false

    init(root: ServedRoot, registry: ConnectionRegistry, pauseAfterName: Duration, narrator: Narrator,
         onRequest: @escaping @Sendable (ServedRequest) -> Void) {
        self.root = root
        self.pauseAfterName = TimeAmount(pauseAfterName)
        self.narrator = narrator
        connection = ServedConnection(registry: registry, onRequest: onRequest)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard connection.admit(context) else {
            log(name: "-", status: 503, note: "over --max-connections; closed")
            context.close(promise: nil)
            return
        }
        narrator.step("accept() → new socket for \(connection.peer)", "the client will send a file name; the server answers with the file's bytes and closes")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        let buffer = unwrapInboundIn(data)
        narrator.step("recv() → \(buffer.readableBytes) bytes", "part or all of the file name; TCP does not say where a name ends, so the protocol must")
        do {
            if let name = try request.append(buffer.readableBytesView) {
                serve(name, how: "newline", context: context)
            } else if pause == nil && request.hasStarted {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                pause = context.eventLoop.scheduleTask(in: pauseAfterName) {
                    let (handler, context) = bound.value
                    handler.finishName(how: "pause", context: context)
                }
            }
        } catch {
            refuse(name: "-", status: 400, note: error.reason(end: "its newline"), context: context)
        }
    }

    private func finishName(how: String, context: ChannelHandlerContext) {
        guard !answered else { return }
        do {
            serve(try request.finish(), how: how, context: context)
        } catch {
            refuse(name: "-", status: 400, note: error.reason(end: how == "pause" ? "a pause" : "the half-close"), context: context)
        }
    }

    private func serve(_ name: [UInt8], how: String, context: ChannelHandlerContext) {
        answered = true
        pause?.cancel()
        let shown = String(decoding: name, as: UTF8.self)
        narrator.step("(file name complete at \(how == "pause" ? "a pause" : how == "newline" ? "its newline" : "the half-close"): \"\(TerminalText.escape(shown))\")",
                      "the request is just the name; there are no headers, no status and no length in this protocol")
        let path: RequestPath
        do {
            path = try RequestPath.fromName(name, showHidden: root.showHidden)
        } catch {
            return refuse(name: shown, status: error.status, note: error.description, context: context)
        }
        // realpath, stat and open(2) may block on a slow disk: NIO's thread pool does them.
        let root = self.root
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { () -> Opened in
            let resolution = root.resolve(path)
            guard case .file(let info) = resolution else {
                let refusal = resolution.refusal ?? (404, "no such file")
                return .refused(status: refusal.status, note: refusal.note)
            }
            do {
                return .file(info, try NIOFileHandle(_deprecatedPath: info.path))
            } catch {
                return .refused(status: 404, note: "cannot open it: \(error)")
            }
        }.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(.file(let info, let handle)):
                guard context.channel.isActive else {
                    try? handle.close()
                    return
                }
                handler.send(handle, info: info, shown: shown, context: context)
            case .success(.refused(let status, let note)):
                handler.refuse(name: shown, status: status, note: note, context: context)
            case .failure(let error):
                handler.refuse(name: shown, status: 500, note: "\(error)", context: context)
            }
        }
    }

    /// What the thread pool found for a name.
    private enum Opened: Sendable {
        case file(FileInfo, NIOFileHandle)
        case refused(status: Int, note: String)
    }

    private func send(_ handle: NIOFileHandle, info: FileInfo, shown: String, context: ChannelHandlerContext) {
        narrator.step("sendfile(\(info.size) bytes)", "the file's bytes, nothing else; the end of the file is the server closing the connection")
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        connection.watch(handle, end: info.size, context: context)
        FileSender(fileHandle: handle, span: 0..<info.size, encrypted: false, wrap: { NIOAny($0) }) { sent, failure in
            let (handler, context) = bound.value
            let note = handler.connection.stopWatch()
            try? handle.close()
            handler.connection.sent = sent
            handler.log(name: shown, status: 200, bytes: sent, note: failure == nil ? nil : note)
            handler.narrator.step("close() → FIN", "end of file: closing the connection is how this protocol says 'that was all'")
            context.close(promise: nil)
        }.send(from: 0, context: context)
    }

    private func refuse(name: String, status: Int, note: String, context: ChannelHandlerContext) {
        answered = true
        pause?.cancel()
        log(name: name, status: status, note: note)
        narrator.step("close() without sending", "the classic protocol has no error message: an empty answer means 'no such file'")
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            finishName(how: "half-close", context: context)
        case is IdleStateHandler.IdleStateEvent where !answered:
            refuse(name: "-", status: 408, note: "no file name within --idle-timeout", context: context)
        case is ShutdownRequest:
            connection.shutDownNow(context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pause?.cancel()
        connection.release()
        context.fireChannelInactive()
    }

    private func log(name: String, status: Int, bytes: Int = 0, note: String?) {
        connection.log(method: "RAW", path: name, status: status, bytes: bytes, note: note)
    }
}
