import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Everything up to end of file; nil (with errno set) when reading fails, as it does on a folder.
public func readAll(fd: Int32) -> [UInt8]? {
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return nil }
        if count == 0 { return data }
        data.append(contentsOf: chunk[..<count])
    }
}

public func readAll(path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return readAll(fd: fd)
}

/// One `read(2)` of up to 64 KiB from `fd`, done on a Dispatch worker so the caller's task does
/// not block; nil at end of input. Reading one chunk per call keeps input in step with the
/// network: nothing is read ahead while the previous chunk is still being sent.
public func readChunk(fd: Int32) async -> [UInt8]? {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                continuation.resume(returning: count > 0 ? Array(chunk[..<count]) : nil)
                return
            }
        }
    }
}
