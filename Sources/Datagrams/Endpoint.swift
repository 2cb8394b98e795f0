import Addresses
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An IP address and port as people read it: `127.0.0.1:9999`, `[::1]:9999`. IPv4-mapped IPv6
/// addresses (what a dual-stack socket reports for IPv4 peers) are shown as IPv4.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int

    public init(address: IPAddress, port: Int) {
        self.address = address.family == .v6 && address.value >> 32 == 0xffff ? address.low32 : address
        self.port = port
    }

    public init?(_ socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let v4):
            self.init(address: .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr)), port: socketAddress.port ?? 0)
        case .v6(let v6):
            let value = withUnsafeBytes(of: v6.address.sin6_addr) { raw in
                raw.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
            }
            self.init(address: .v6(value), port: socketAddress.port ?? 0)
        default:
            return nil
        }
    }

    public var description: String {
        address.family == .v6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// Which address family `-4` / `-6` allow.
public enum FamilyPreference: Sendable {
    case any, v4, v6
}

/// Name resolution through getaddrinfo(3), so `-4`/`-6` and /etc/hosts behave as in other tools.
public enum Resolver {
    public static func resolve(_ host: String, port: Int, family: FamilyPreference) throws(UDPError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = family == .v4 ? AF_INET : family == .v6 ? AF_INET6 : AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw .resolution(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let raw = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    addresses.append(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                case AF_INET6:
                    addresses.append(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw .resolution(host: host, reason: "no address of the requested family") }
        return addresses
    }
}

/// Interface names for the indexes packet info reports (`if_indextoname`), looked up once per
/// index: a receiver sees the same few interfaces on every datagram.
final class InterfaceNames: Sendable {
    static let shared = InterfaceNames()
    private let cache = Mutex<[Int: String]>([:])

    func name(_ index: Int) -> String? {
        guard index > 0 else { return nil }
        if let known = cache.withLock({ $0[index] }) { return known }
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(UInt32(index), &buffer) != nil else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        cache.withLock { $0[index] = name }
        return name
    }
}
