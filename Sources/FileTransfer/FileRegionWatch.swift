import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Watches a file while NIO sends part of it with sendfile(2). When the file shrinks under a
/// transfer (log rotation truncating it, a rewrite), sendfile meets an early end of file and
/// returns 0 bytes again and again; NIO would retry forever, at full CPU, and the client would
/// wait forever. Four times a second the watch compares the file's size with where the region
/// ends and, when it is short, reports it once so the handler can close the connection.
final class FileRegionWatch {
    private var task: RepeatedTask?

    /// Starts watching `fd` (owned by the caller, open until `stop`) on `loop`.
    init(fd: CInt, end: Int, on loop: EventLoop, onShrunk: @escaping (_ size: Int) -> Void) {
        let bound = NIOLoopBound(onShrunk, eventLoop: loop)
        task = loop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { task in
            var status = stat()
            guard fstat(fd, &status) == 0 else { return }
            let size = Int(status.st_size)
            if size < end {
                task.cancel()
                bound.value(size)
            }
        }
    }

    /// Ends the watch; call before the file is closed.
    func stop() {
        task?.cancel()
        task = nil
    }

    /// The sentence a log gives for a transfer cut short this way.
    static func note(size: Int, expectedEnd: Int) -> String {
        "the file shrank to \(size) bytes while being sent (it should reach byte \(expectedEnd)); truncated or rotated? connection closed"
    }
}
