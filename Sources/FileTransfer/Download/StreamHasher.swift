import Crypto
import Dispatch
import NIOCore
import Synchronization

/// SHA-256 over a download as it arrives, on a thread of its own: without SHA instructions in
/// the CPU, hashing is slower than loopback, so it runs beside the receiving and writing
/// instead of after each chunk. At most `limit` chunks wait to be hashed; past that `update`
/// suspends, so memory stays flat whatever the network speed.
final class StreamHasher: @unchecked Sendable {
    static let limit = 32

    private let queue = DispatchQueue(label: "nettool.download.sha256")
    /// Touched only on `queue`.
    private var hasher = SHA256()
    private let backlog = Mutex<(pending: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

    func update(_ buffer: ByteBuffer) async {
        let mustWait = backlog.withLock { state in
            state.pending += 1
            return state.pending > Self.limit
        }
        queue.async {
            buffer.withUnsafeReadableBytes { self.hasher.update(bufferPointer: $0) }
            let waiter = self.backlog.withLock { state -> CheckedContinuation<Void, Never>? in
                state.pending -= 1
                guard state.pending <= Self.limit / 2, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.resume()
        }
        guard mustWait else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = backlog.withLock { state in
                if state.pending <= Self.limit / 2 { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Hashes bytes already on disk (a resumed .part), before any new ones.
    func updateNow(_ bytes: UnsafeRawBufferPointer) {
        queue.sync { hasher.update(bufferPointer: bytes) }
    }

    /// The digest of everything given so far, once it is all hashed.
    func finalize() async -> [UInt8] {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Array(self.hasher.finalize())) }
        }
    }
}
