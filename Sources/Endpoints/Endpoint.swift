import Addresses
import NIOCore

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
