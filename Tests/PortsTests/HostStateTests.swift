#if canImport(Glibc)
import Glibc
#endif
import Addresses
import Testing
@testable import HostState
import Ports

@Suite("Host state from /proc")
struct HostStateTests {
    @Test("/proc/net/tcp: only LISTEN rows, addresses in network order")
    func tcpRows() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
               1: 0100007F:A3C2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1
            """
        let sockets = ProcParsers.sockets(text, transport: "tcp", isIPv6: false)
        #expect(sockets.count == 1)
        #expect(sockets.first?.address.description == "127.0.0.1")
        #expect(sockets.first?.port == 8080)
        #expect(sockets.first?.inode == 4242)
    }

    @Test("/proc/net/tcp6 and udp6 addresses")
    func ipv6Rows() {
        let text = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:14E9 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   100        0 777 2 0 0
               1: 0000000000000000FFFF00000100007F:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   100        0 778 2 0 0
            """
        let sockets = ProcParsers.sockets(text, transport: "udp", isIPv6: true)
        #expect(sockets.map(\.address.description) == ["::1", "::ffff:127.0.0.1"])
        #expect(sockets.map(\.port) == [5353, 53])
        #expect(sockets.map(\.drops) == [0, 0])
    }

    @Test("/proc/net/udp: the drops column")
    func udpDropsColumn() {
        let text = """
               sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              123: 0100007F:9E34 00000000:0000 07 00000000:00068000 00:00000000 00000000     0        0 51234 2 00000000a1b2c3d4 1360
            """
        let sockets = ProcParsers.sockets(text, transport: "udp", isIPv6: false)
        #expect(sockets.map(\.port) == [40500])
        #expect(sockets.map(\.drops) == [1360])
        #expect(ProcParsers.sockets(text, transport: "tcp", isIPv6: false).isEmpty)
    }

    @Test("the live drop count of a UDP socket that was sent more than its buffer holds")
    func liveUDPDrops() throws {
        func udpSocket(reuse: Bool = false, port: UInt16 = 0) throws -> (fd: Int32, port: UInt16) {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            try #require(fd >= 0)
            var one: Int32 = 1, small: Int32 = 4096
            if reuse { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = port.bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            try #require(withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            })
            return (fd, UInt16(bigEndian: address.sin_port))
        }
        let receiver = try udpSocket()
        defer { close(receiver.fd) }
        #expect(ProcParsers.udpDrops(address: .v4(0x7F00_0001), port: receiver.port) == 0)

        let sender = try udpSocket()
        defer { close(sender.fd) }
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        destination.sin_port = receiver.port.bigEndian
        let payload = [UInt8](repeating: 7, count: 1000)
        for _ in 0..<200 {
            _ = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(sender.fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        let drops = try #require(ProcParsers.udpDrops(address: .v4(0x7F00_0001), port: receiver.port))
        var queued = 0
        var buffer = [UInt8](repeating: 0, count: 2000)
        while recv(receiver.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 { queued += 1 }
        #expect(drops > 0)
        #expect(Int(drops) + queued == 200)
        // Two sockets sharing the address and port (SO_REUSEADDR): their rows cannot be told apart.
        let first = try udpSocket(reuse: true), second = try udpSocket(reuse: true, port: first.port)
        defer { close(first.fd); close(second.fd) }
        #expect(ProcParsers.udpDrops(address: .v4(0x7F00_0001), port: first.port) == nil)
    }

    @Test("sysctl formats")
    func sysctls() {
        #expect(ProcParsers.portRange("32768\t60999\n") == 32768...60999)
        #expect(ProcParsers.portRange("garbage") == nil)
        #expect(ProcParsers.reservedPorts("8080,9000-9010\n") == [8080...8080, 9000...9010])
        #expect(ProcParsers.reservedPorts("\n").isEmpty)
        #expect(ProcParsers.hasCapability(status: "Name:\tx\nCapEff:\t0000000000000400\n", bit: 10))
        #expect(!ProcParsers.hasCapability(status: "CapEff:\t0000000000000000\n", bit: 10))
    }

    @Test("bind() verdicts: privileged without the capability, in use, free, port 0")
    func verdicts() throws {
        var host = HostPortState()
        host.unprivilegedPortStart = 1024
        host.hasBindCapability = false
        host.sockets = [BoundSocket(transport: "tcp", address: .v4(0x7F00_0001), port: 8080, inode: 1, pid: 99, process: "demo")]
        let classifier = PortClassifier(registries: [], host: host)
        func first(_ input: String, _ classifier: PortClassifier) throws -> PortClassification {
            let query = try #require(try PortQuery.parse(input, registries: []).first)
            return try #require(classifier.classify(query).first)
        }
        let low = try first("80/tcp", classifier)
        #expect(low.privileged)
        #expect(low.bind.first?.wouldFail == true)
        #expect(low.bind.first?.reason.contains("CAP_NET_BIND_SERVICE") == true)
        let used = try first("8080", classifier)
        #expect(used.bind.map(\.wouldFail) == [true, false])
        #expect(used.bind[0].reason.contains("pid 99 (demo)"))
        let zero = try first("0", classifier)
        #expect(!zero.privileged && zero.bind.allSatisfy { !$0.wouldFail })

        host.hasBindCapability = true
        let root = try first("80", PortClassifier(registries: [], host: host))
        #expect(root.bind.allSatisfy { !$0.wouldFail })
    }

    @Test("without /proc the Linux defaults are used and named")
    func missingProc() {
        let state = HostPortState.read(procRoot: "/nonexistent-proc-\(getpid())")
        #expect(state.unprivilegedPortStart == 1024)
        #expect(state.ephemeralRange == 32768...60999)
        #expect(state.sockets.isEmpty)
        #expect(state.assumedDefaults.count == 2)
        #expect(state.assumedDefaults.first?.contains("ip_unprivileged_port_start") == true)
    }

    @Test("the live state reports this very process's listening socket")
    func liveListener() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)

        var host = HostPortState.read()
        host.resolveOwners(ports: port...port)
        let mine = host.sockets(on: port).filter { $0.transport == "tcp" }
        #expect(mine.count == 1)
        #expect(mine.first?.address.description == "127.0.0.1")
        #expect(mine.first?.pid == getpid())
        #expect(mine.first?.process != nil)

        let query = try #require(try PortQuery.parse("\(port)/tcp", registries: []).first)
        let result = try #require(PortClassifier(registries: [ServiceRegistry.iana], host: host).classify(query).first)
        #expect(result.listeners.count == 1)
        #expect(result.bind.first?.wouldFail == true)
        #expect(result.bind.first?.reason.contains("pid \(getpid())") == true)
    }
}
