import Addresses

/// A socket bound on this host, from /proc/net/{tcp,tcp6,udp,udp6}.
public struct BoundSocket: Sendable, Equatable {
    public let transport: String       // "tcp" or "udp"
    public let address: IPAddress
    public let port: UInt16
    public let inode: UInt64
    public var pid: Int32?
    public var process: String?
    /// UDP only: datagrams the kernel discarded for this socket, mostly because its receive buffer was full.
    public var drops: UInt64?
}

/// Port-related kernel settings and sockets, read live from /proc. Every value has the Linux
/// default to fall back on, and says whether it was read or assumed.
public struct HostPortState: Sendable {
    public var unprivilegedPortStart: Int = 1024
    public var ephemeralRange: ClosedRange<Int> = 32768...60999
    public var reservedPorts: [ClosedRange<Int>] = []
    public var hasBindCapability = false
    public var sockets: [BoundSocket] = []
    /// Settings that could not be read and use the Linux default instead.
    public var assumedDefaults: [String] = []

    public init() {}

    /// Reads the live state; `procRoot` is overridable for tests.
    public static func read(procRoot: String = "/proc") -> HostPortState {
        var state = HostPortState()
        if let value = unprivilegedPortStart(procRoot: procRoot) {
            state.unprivilegedPortStart = value
        } else {
            state.assumedDefaults.append("net.ipv4.ip_unprivileged_port_start (Linux default 1024)")
        }
        if let text = readSmallFile(procRoot + "/sys/net/ipv4/ip_local_port_range"), let range = ProcParsers.portRange(text) {
            state.ephemeralRange = range
        } else {
            state.assumedDefaults.append("net.ipv4.ip_local_port_range (Linux default 32768-60999)")
        }
        if let text = readSmallFile(procRoot + "/sys/net/ipv4/ip_local_reserved_ports") {
            state.reservedPorts = ProcParsers.reservedPorts(text)
        }
        if let text = readSmallFile(procRoot + "/self/status") {
            state.hasBindCapability = ProcParsers.hasCapability(status: text, bit: 10)  // CAP_NET_BIND_SERVICE
        }
        for (file, transport, isIPv6) in [("tcp", "tcp", false), ("tcp6", "tcp", true), ("udp", "udp", false), ("udp6", "udp", true)] {
            guard let text = readSmallFile(procRoot + "/net/" + file) else { continue }
            state.sockets += ProcParsers.sockets(text, transport: transport, isIPv6: isIPv6)
        }
        return state
    }

    /// net.ipv4.ip_unprivileged_port_start, read live: ports below it need root or
    /// CAP_NET_BIND_SERVICE. Nil when it cannot be read.
    public static func unprivilegedPortStart(procRoot: String = "/proc") -> Int? {
        readSmallFile(procRoot + "/sys/net/ipv4/ip_unprivileged_port_start").flatMap { Int($0.trimmed) }
    }

    /// Fills in pid and process name for the sockets on `ports`, by scanning /proc/*/fd
    /// (only processes this user may inspect are visible, as with `ss -p`).
    public mutating func resolveOwners(ports: ClosedRange<UInt16>, procRoot: String = "/proc") {
        let wanted = Set(sockets.filter { ports.contains($0.port) }.map(\.inode))
        guard !wanted.isEmpty else { return }
        let owners = SocketOwners.scan(inodes: wanted, procRoot: procRoot)
        for index in sockets.indices {
            if let owner = owners[sockets[index].inode] {
                sockets[index].pid = owner.pid
                sockets[index].process = owner.name
            }
        }
    }

    public func isEphemeral(_ port: UInt16) -> Bool { ephemeralRange.contains(Int(port)) }
    public func isPrivileged(_ port: UInt16) -> Bool { port != 0 && Int(port) < unprivilegedPortStart }
    public func isReservedLocally(_ port: UInt16) -> Bool { reservedPorts.contains { $0.contains(Int(port)) } }
    public func sockets(on port: UInt16) -> [BoundSocket] { sockets.filter { $0.port == port } }
}

/// Parsers for the /proc text formats: pure functions, tested on fixture text.
public enum ProcParsers {
    /// "32768\t60999\n"
    public static func portRange(_ text: String) -> ClosedRange<Int>? {
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return numbers[0]...numbers[1]
    }

    /// "8080,9000-9010\n"
    public static func reservedPorts(_ text: String) -> [ClosedRange<Int>] {
        text.trimmed.split(separator: ",").compactMap { item in
            let bounds = item.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { return bounds[0]...bounds[0] }
            if bounds.count == 2, bounds[0] <= bounds[1] { return bounds[0]...bounds[1] }
            return nil
        }
    }

    /// Whether `CapEff:` in /proc/PID/status has capability `bit` set.
    public static func hasCapability(status: String, bit: Int) -> Bool {
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            guard let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: " \t"), radix: 16) else { return false }
            return mask & (1 << UInt64(bit)) != 0
        }
        return false
    }

    /// Rows of /proc/net/tcp*: TCP sockets in LISTEN (state 0A); for UDP every bound socket.
    /// Addresses are hex in host byte order (little-endian here), 32-bit word by word for IPv6.
    public static func sockets(_ text: String, transport: String, isIPv6: Bool) -> [BoundSocket] {
        var result: [BoundSocket] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10 else { continue }
            if transport == "tcp" && fields[3] != "0A" { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = UInt16(local[1], radix: 16), let inode = UInt64(fields[9]),
                  let address = hexAddress(local[0], isIPv6: isIPv6) else { continue }
            let drops = transport == "udp" && fields.count > 12 ? UInt64(fields[12]) : nil
            result.append(BoundSocket(transport: transport, address: address, port: port, inode: inode, drops: drops))
        }
        return result
    }

    /// The kernel's drop count for the one UDP socket bound to `address`:`port`, from
    /// /proc/net/udp or udp6; nil when it is not there or when several sockets share that
    /// address and port (SO_REUSEADDR), since the row cannot be told apart then.
    public static func udpDrops(address: IPAddress, port: UInt16, procRoot: String = "/proc") -> UInt64? {
        let isIPv6 = address.family == .v6
        guard let text = readSmallFile(procRoot + (isIPv6 ? "/net/udp6" : "/net/udp")) else { return nil }
        let rows = sockets(text, transport: "udp", isIPv6: isIPv6).filter { $0.port == port && $0.address == address }
        return rows.count == 1 ? rows[0].drops : nil
    }

    static func hexAddress(_ hex: Substring, isIPv6: Bool) -> IPAddress? {
        let wordCount = isIPv6 ? 4 : 1
        guard hex.count == 8 * wordCount else { return nil }
        var words: [UInt32] = []
        var index = hex.startIndex
        for _ in 0..<wordCount {
            let end = hex.index(index, offsetBy: 8)
            guard let word = UInt32(hex[index..<end], radix: 16) else { return nil }
            // The kernel prints the in-memory (network order) bytes as a host-order integer.
            words.append(UInt32(bigEndian: word))
            index = end
        }
        if !isIPv6 { return .v4(words[0]) }
        return .v6(words.reduce(UInt128(0)) { $0 << 32 | UInt128($1) })
    }
}

extension String {
    var trimmed: String { self[...].trimmingCharacters(in: " \t\n") }
}
