#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor in large chunks and hands out each line as a byte buffer, without
/// making a String per line. A trailing `\r` (CRLF files) is dropped; empty lines are skipped.
struct LineReader {
    private let fd: Int32
    private var buffer: [UInt8]

    init(fd: Int32, chunkSize: Int = 1 << 20) {
        self.fd = fd
        buffer = []
        buffer.reserveCapacity(chunkSize)
    }

    /// Calls `body` for every line; `afterChunk` runs after each read's lines, so interactive
    /// use (a person typing) sees each answer at once.
    mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void, afterChunk: () -> Void) {
        var chunk = [UInt8](repeating: 0, count: buffer.capacity)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            buffer.append(contentsOf: chunk[..<count])
            var consumed = 0
            buffer.withUnsafeBufferPointer { all in
                var start = 0
                while let newline = Self.indexOfNewline(all, from: start) {
                    Self.emit(UnsafeBufferPointer(rebasing: all[start..<newline]), body)
                    start = newline + 1
                }
                consumed = start
            }
            buffer.removeFirst(consumed)
            afterChunk()
        }
        if !buffer.isEmpty {
            buffer.withUnsafeBufferPointer { Self.emit($0, body) }
            buffer.removeAll()
            afterChunk()
        }
    }

    private static func emit(_ line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var line = line
        if let last = line.last, last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if !line.isEmpty { body(line) }
    }

    private static func indexOfNewline(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
