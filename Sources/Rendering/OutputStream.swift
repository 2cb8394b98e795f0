#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Buffered writes to a file descriptor with `write(2)`. Batch commands emit millions of lines,
/// so output is collected in one buffer and flushed in large writes, and explicitly at every
/// point a reader may be waiting (stdout is block-buffered when it is not a TTY).
public struct OutputStream {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let limit: Int

    public init(fd: Int32, limit: Int = 1 << 16) {
        self.fd = fd
        self.limit = limit
        buffer.reserveCapacity(limit + 4096)
    }

    public static func standardOutput() -> OutputStream { OutputStream(fd: 1) }

    public mutating func write(_ bytes: [UInt8]) {
        write(bytes[...])
    }

    public mutating func write(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    /// Large blocks go straight to the descriptor instead of through the buffer.
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= limit {
            flush()
            Self.writeAll(UnsafeRawBufferPointer(bytes), to: fd)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { flush() }
    }

    public mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    public mutating func writeLine(_ bytes: [UInt8]) {
        write(bytes)
        buffer.append(UInt8(ascii: "\n"))
    }

    public mutating func flush() {
        buffer.withUnsafeBytes { Self.writeAll($0, to: fd) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// A command's whole output to stdout at once, unbuffered.
    public static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeAll($0, to: 1) }
    }

    public static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) {
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return  // EPIPE and friends: the reader is gone; nothing useful to do
            }
            offset += written
        }
    }
}

/// One message to stderr, unbuffered: diagnostics and per-line errors in human mode. Control
/// characters other than line breaks are escaped here as a last guard, whatever the caller
/// quoted from outside.
public func printError(_ message: String) {
    var line = Array(TerminalText.escape(message, keepLineBreaks: true).utf8)
    line.append(UInt8(ascii: "\n"))
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// stdout for output produced on another thread (an event loop): each write goes out whole,
/// under a lock, straight to the descriptor.
public final class SerialOutput: Sendable {
    private let lock = Mutex(())

    public init() {}

    public func write(_ bytes: [UInt8]) {
        lock.withLock { _ in
            bytes.withUnsafeBytes { OutputStream.writeAll($0, to: 1) }
        }
    }
}

/// Redraws the one progress line on stderr in place (carriage return, no newline); a person
/// watching a terminal sees it change, and `printError("")` ends it.
public func redrawStatusLine(_ text: String) {
    let line = Array(("\r" + text + "   ").utf8)
    line.withUnsafeBytes { OutputStream.writeAll($0, to: 2) }
}

/// Bytes a peer sent, to stdout as they come. Into a pipe or a file they pass unchanged (they
/// are data, as nc passes them); on a terminal control characters are shown, not obeyed.
public func writeReceived(_ bytes: UnsafeRawBufferPointer, terminal: Bool) {
    guard terminal else { return OutputStream.writeAll(bytes, to: 1) }
    let text = TerminalText.escape(bytes: bytes.bindMemory(to: UInt8.self), keepLineBreaks: true)
    Array(text.utf8).withUnsafeBytes { OutputStream.writeAll($0, to: 1) }
}
