import CLinuxIO
import Crypto
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of the part file, on a thread of its own a little behind the writer: it reads back
/// what was just written (from the page cache), so hashing runs beside receiving and writing
/// without holding on to a single received buffer, and memory stays one read buffer whatever
/// the speeds. The digest is of the bytes as saved. A resumed part's old bytes are hashed the
/// same way, in the background, while the rest arrives. Behind each chunk it hashes, it asks the
/// kernel to start writing that chunk to disk (sync_file_range), so the writeback runs beside
/// the transfer and the fsync before the rename finds little left to do.
final class FileHasher: @unchecked Sendable {
    private static let chunk = 1 << 20

    private let path: String
    private let fd: Int32
    private let queue = DispatchQueue(label: "nettool.download.sha256")
    /// Touched only on `queue`.
    private var hasher = SHA256()
    private var hashed = 0
    private var readFailure: String?
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.chunk, alignment: 64)
    /// How far the file has been written, and whether a drain is queued.
    private let progress = Mutex<(target: Int, draining: Bool)>((0, false))

    init(path: String) throws(DownloadError) {
        self.path = path
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            buffer.deallocate()
            throw .io("cannot read \(path) back to hash it: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// The file now holds `size` bytes: hash up to there, soon.
    func advance(to size: Int) {
        let start = progress.withLock { state -> Bool in
            state.target = max(state.target, size)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let target = progress.withLock { state -> Int? in
                guard state.target > hashed, readFailure == nil else {
                    state.draining = false
                    return nil
                }
                return state.target
            }
            guard let target else { return }
            hash(upTo: target)
        }
    }

    private func hash(upTo target: Int) {
        while hashed < target && readFailure == nil {
            let count = pread(fd, buffer.baseAddress, min(Self.chunk, target - hashed), off_t(hashed))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                readFailure = count < 0 ? String(cString: strerror(errno)) : "it is shorter than what was written"
                return
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            // Only a head start for fsync, which still decides: a failure here changes nothing.
            _ = nettool_start_writeback(fd, off_t(hashed), off_t(count))
            hashed += count
        }
    }

    /// The digest of the file's first `size` bytes, once they are all hashed.
    func finalize(size: Int) async throws(DownloadError) -> [UInt8] {
        let result: Result<[UInt8], DownloadError> = await withCheckedContinuation { continuation in
            queue.async {
                self.hash(upTo: size)
                if let failure = self.readFailure {
                    continuation.resume(returning: .failure(.io("cannot read \(self.path) back to hash it: \(failure)")))
                } else {
                    continuation.resume(returning: .success(Array(self.hasher.finalize())))
                }
            }
        }
        return try result.get()
    }
}
