import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Watches a file while NIO sends part of it with sendfile(2). When the file shrinks under a
/// transfer (log rotation truncating it, a rewrite), sendfile meets an early end of file and
/// returns 0 bytes again and again; NIO would retry forever, at full CPU, and the client would
/// wait forever. Four times a second the watch compares the file's size with where the region
/// ends and, when it is short, closes the connection and keeps the size for the log. Its timer
/// holds the channel and a box, never the connection that holds the watch.
final class FileRegionWatch {
    private var task: RepeatedTask?
    private let end: Int
    private let shrunkTo: NIOLoopBoundBox<Int?>

    /// Starts watching `fd` (owned by the caller, open until `stop`) on `channel`'s loop.
    init(fd: CInt, end: Int, channel: Channel) {
        self.end = end
        let shrunkTo = NIOLoopBoundBox(Int?.none, eventLoop: channel.eventLoop)
        self.shrunkTo = shrunkTo
        task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { task in
            var status = stat()
            guard fstat(fd, &status) == 0 else { return }
            let size = Int(status.st_size)
            if size < end {
                task.cancel()
                shrunkTo.value = size
                channel.close(promise: nil)
            }
        }
    }

    /// Ends the watch (call before the file is closed); the sentence for the log when the file
    /// shrank under the transfer, nil when it did not.
    func stop() -> String? {
        task?.cancel()
        task = nil
        return shrunkTo.value.map { Self.note(size: $0, expectedEnd: end) }
    }

    /// The sentence a log gives for a transfer cut short this way.
    static func note(size: Int, expectedEnd: Int) -> String {
        "the file shrank to \(size) bytes while being sent (it should reach byte \(expectedEnd)); truncated or rotated? connection closed"
    }
}
