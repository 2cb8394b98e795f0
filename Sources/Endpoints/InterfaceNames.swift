import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Interface names for the indexes packet info reports (`if_indextoname`), looked up once per
/// index: a receiver sees the same few interfaces on every datagram.
public final class InterfaceNames: Sendable {
    public static let shared = InterfaceNames()
    private let cache = Mutex<[Int: String]>([:])

    public func name(_ index: Int) -> String? {
        guard index > 0 else { return nil }
        if let known = cache.withLock({ $0[index] }) { return known }
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(UInt32(index), &buffer) != nil else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        cache.withLock { $0[index] = name }
        return name
    }
}
