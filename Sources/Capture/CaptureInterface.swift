import Rendering
import Addresses
import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// An interface libpcap can capture on, with its addresses and state.
public struct CaptureInterface: Equatable, Sendable {
    public var name: String
    public var description: String?
    public var addresses: [IPAddress]
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool
    public var isWireless: Bool

    /// Every capture device, in libpcap's order (up, running, non-loopback first).
    public static func all() throws(CaptureError) -> [CaptureInterface] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errorBuffer) == 0 else { throw .failed(text(errorBuffer)) }
        defer { pcap_freealldevs(list) }
        var interfaces: [CaptureInterface] = []
        var cursor = list
        while let device = cursor {
            let entry = device.pointee
            var addresses: [IPAddress] = []
            var addressCursor = entry.addresses
            while let address = addressCursor {
                if let ip = ipAddress(address.pointee.addr) { addresses.append(ip) }
                addressCursor = address.pointee.next
            }
            interfaces.append(CaptureInterface(
                name: String(cString: entry.name), description: entry.description.map { String(cString: $0) },
                addresses: addresses, isUp: entry.flags & UInt32(PCAP_IF_UP) != 0,
                isRunning: entry.flags & UInt32(PCAP_IF_RUNNING) != 0,
                isLoopback: entry.flags & UInt32(PCAP_IF_LOOPBACK) != 0,
                isWireless: entry.flags & UInt32(PCAP_IF_WIRELESS) != 0))
            cursor = entry.next
        }
        return interfaces
    }

    /// What tcpdump picks without -i: the first device that is up and not loopback or `any`.
    public static func defaultName() throws(CaptureError) -> String {
        let interfaces = try all()
        let candidates = interfaces.filter { $0.isUp && !$0.isLoopback && $0.name != "any" }
        guard let first = candidates.first(where: \.isRunning) ?? candidates.first else { throw .noInterfaces }
        return first.name
    }

    /// The interface name for an index (Linux cooked v2 headers carry the index).
    public static func name(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(index, &buffer) != nil else { return nil }
        return text(buffer)
    }

    private static func ipAddress(_ pointer: UnsafeMutablePointer<sockaddr>?) -> IPAddress? {
        guard let pointer else { return nil }
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { .v4(UInt32(bigEndian: $0.pointee.sin_addr.s_addr)) }
        case AF_INET6:
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                withUnsafeBytes(of: address.pointee.sin6_addr) { bytes in
                    .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
                }
            }
        default:
            return nil
        }
    }
}

/// C text from a fixed buffer, without the deprecated `String(cString: [CChar])`.
func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension CaptureInterface {
    /// `--list-interfaces --json`: one `interface` record per line.
    public static func json(_ interfaces: [CaptureInterface]) -> [UInt8] {
        interfaces.flatMap { interface in
            JSONLine.record("interface") { line in
                line.field("name", interface.name)
                line.field("description", interface.description)
                line.array("addresses", interface.addresses) { line, address in line.string(address.description) }
                line.field("up", interface.isUp)
                line.field("running", interface.isRunning)
                line.field("loopback", interface.isLoopback)
            }
        }
    }

    /// `--list-interfaces`: name, flags and addresses in columns.
    public static func table(_ interfaces: [CaptureInterface]) -> String {
        let rows = interfaces.map { interface in
            [interface.name,
             [interface.isUp ? "up" : "down", interface.isRunning ? "running" : nil, interface.isLoopback ? "loopback" : nil,
              interface.isWireless ? "wireless" : nil].compactMap { $0 }.joined(separator: ","),
             interface.addresses.isEmpty ? "-" : interface.addresses.map(\.description).joined(separator: " ")]
        }
        return ColumnTable.render(header: ["INTERFACE", "FLAGS", "ADDRESSES"], rows: rows)
    }
}
