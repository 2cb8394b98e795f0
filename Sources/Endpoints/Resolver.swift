import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Which address family `-4` / `-6` allow.
public enum FamilyPreference: Sendable {
    case any, v4, v6
}

/// Name resolution through getaddrinfo(3), so `-4`/`-6` and /etc/hosts behave as in other tools.
public enum Resolver {
    public static func resolve(_ host: String, port: Int, family: FamilyPreference,
                               transport: NetworkError.Transport) throws(NetworkError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = family == .v4 ? AF_INET : family == .v6 ? AF_INET6 : AF_UNSPEC
        hints.ai_socktype = Int32(transport == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
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
