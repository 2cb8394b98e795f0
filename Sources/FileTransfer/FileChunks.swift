#if canImport(Glibc)
import Glibc
#endif

/// A file that could not be opened or read, with the errno reason.
struct FileReadError: Error, CustomStringConvertible {
    let path: String
    let code: Int32

    var description: String { "cannot read \(path): \(String(cString: strerror(code)))" }
}

/// Reads the file at `path` from start to end in 1 MiB pieces: the one read loop behind
/// hashing a served file, re-hashing a resumed `.part`, and reading the sidecar (those two with
/// `O_NOFOLLOW`: a download never reads through a link it did not make).
func forEachChunk(ofFile path: String, flags: Int32 = 0, _ body: (UnsafeRawBufferPointer) -> Void) throws(FileReadError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC | flags)
    guard fd >= 0 else { throw FileReadError(path: path, code: errno) }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw FileReadError(path: path, code: errno) }
        if count == 0 { return }
        buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
}
