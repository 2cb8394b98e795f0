import Crypto
import NIOCore
import NIOPosix
import Synchronization

/// SHA-256 of each served file version, for the `Repr-Digest` header (RFC 9530). A version is
/// its entity tag, so a changed file is hashed anew; each version is read once, on NIO's thread
/// pool, and concurrent requests for it wait for the same computation.
final class DigestCache: Sendable {
    private let digests = Mutex<[String: EventLoopFuture<[UInt8]>]>([:])

    func digest(of info: FileInfo, version: String, on eventLoop: any EventLoop) -> EventLoopFuture<[UInt8]> {
        let (future, start) = digests.withLock { digests -> (EventLoopFuture<[UInt8]>, Bool) in
            if let known = digests[version] { return (known, false) }
            // Old versions accumulate as files change; past this many, start the cache afresh.
            if digests.count >= 4096 { digests.removeAll() }
            let promise = eventLoop.makePromise(of: [UInt8].self)
            digests[version] = promise.futureResult
            NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { try Self.hash(path: info.path) }.cascade(to: promise)
            return (promise.futureResult, true)
        }
        if start {
            // A failed read is not cached: the next request tries again.
            future.whenFailure { [self] _ in _ = digests.withLock { $0.removeValue(forKey: version) } }
        }
        return future.hop(to: eventLoop)
    }

    static func hash(path: String) throws -> [UInt8] {
        var hasher = SHA256()
        try forEachChunk(ofFile: path) { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }
}
