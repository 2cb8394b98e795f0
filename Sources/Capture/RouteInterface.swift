import Addresses
#if canImport(Glibc)
import Glibc
#endif

extension CaptureInterface {
    /// The interface the kernel's route to `destination` leaves by, as `ip route get` would say:
    /// loopback for this host's own addresses; otherwise the interface holding the source
    /// address the kernel picks for a UDP socket connected to `destination` (a connect() on
    /// UDP sends nothing, it only looks the route up). Nil when there is no route.
    public static func route(to destination: IPAddress) throws(CaptureError) -> String? {
        let interfaces = try all()
        let loopback = interfaces.first { $0.isLoopback }?.name
        if isLoopbackAddress(destination) || interfaces.contains(where: { $0.addresses.contains(destination) }) { return loopback }
        guard let source = sourceAddress(toward: destination) else { return nil }
        if isLoopbackAddress(source) { return loopback }
        return interfaces.first { $0.name != "any" && $0.addresses.contains(source) }?.name
    }

    static func isLoopbackAddress(_ address: IPAddress) -> Bool {
        address.family == .v4 ? address.value >> 24 == 127 : address.value == 1
    }

    /// The local address getsockname() reports for a UDP socket connected to `destination`.
    private static func sourceAddress(toward destination: IPAddress) -> IPAddress? {
        let isV6 = destination.family == .v6
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connected = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            if isV6 {
                let v6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                v6.pointee.sin6_family = sa_family_t(AF_INET6)
                v6.pointee.sin6_port = UInt16(9).bigEndian
                withUnsafeMutableBytes(of: &v6.pointee.sin6_addr) { bytes in
                    for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: destination.value >> (8 * (15 - index))) }
                }
                return connect(fd, address, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
            let v4 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            v4.pointee.sin_family = sa_family_t(AF_INET)
            v4.pointee.sin_port = UInt16(9).bigEndian
            v4.pointee.sin_addr.s_addr = UInt32(truncatingIfNeeded: destination.value).bigEndian
            return connect(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
        guard connected else { return nil }
        storage = sockaddr_storage()
        let named = withUnsafeMutableBytes(of: &storage) { raw in
            getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length) == 0
        }
        guard named else { return nil }
        return withUnsafeBytes(of: storage) { raw -> IPAddress? in
            switch Int32(raw.load(fromByteOffset: 0, as: sa_family_t.self)) {
            case AF_INET:
                return .v4(UInt32(bigEndian: raw.load(as: sockaddr_in.self).sin_addr.s_addr))
            case AF_INET6:
                let bytes = withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr) { Array($0) }
                return .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
            default:
                return nil
            }
        }
    }
}
