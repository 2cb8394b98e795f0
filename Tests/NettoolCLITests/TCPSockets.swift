import Foundation

/// A plain blocking TCP client socket for tests that need to misbehave on purpose (never read,
/// reset, hold a connection open) in ways no peer tool does on demand.
final class RawTCPClient {
    /// -1 once closed: closing a descriptor twice could close one another thread has since
    /// been given, such as a socket of the NIO tests running in this same process.
    private(set) var fd: Int32

    /// `receiveBuffer` sets SO_RCVBUF before the handshake: a small window, fixed (no autotuning).
    init(port: Int, host: UInt32 = 0x7F00_0001, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        let status = withLoopbackAddress(port: port, host: host) { connect(fd, $0, $1) }
        guard status == 0 else {
            let code = errno
            close(fd)
            self.fd = -1
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .ECONNREFUSED)
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends without blocking for up to `seconds`, as fast as the socket takes it, never
    /// reading; returns the bytes the kernel accepted.
    func flood(for seconds: Double) -> Int {
        let chunk = [UInt8](repeating: 0x61, count: 65536)
        var total = 0
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let sent = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if sent > 0 { total += sent } else { usleep(10_000) }
        }
        return total
    }

    /// What arrives within `seconds` (until end of stream, or the time is up); nil when the
    /// connection was reset.
    func receive(for seconds: Double, until expected: Int = .max) -> [UInt8]? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && received.count < expected {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { return errno == ECONNRESET ? nil : received }
            if count == 0 { break }
            received += chunk[..<count]
        }
        return received
    }

    /// What arrives until it ends with `suffix` (or the stream ends, or `seconds` pass).
    func receive(for seconds: Double, untilSuffix suffix: String) -> String {
        var received: [UInt8] = []
        let wanted = Array(suffix.utf8)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !received.ends(with: wanted) {
            guard let more = receive(for: 0.05, until: 1) else { break }
            received += more
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when the peer closed the connection within `seconds`.
    func peerClosed(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
        return false
    }

    /// Closes with SO_LINGER 0: the kernel sends a reset (RST) instead of a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        fd = -1
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    deinit { if fd >= 0 { close(fd) } }
}

/// A resident set size in KiB, from /proc/PID/status.
func residentKiB(pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
    return line.split(separator: " ").compactMap { Int($0) }.first
}

/// A TCP port that is free right now on 127.0.0.1.
func freeTCPPort() throws -> Int {
    let listener = try LoopbackListener()
    return Int(listener.port)
}

func openDescriptors(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}

/// What each of a process's descriptors refers to ("3 → socket:[123]"), for a failure message.
func descriptorTargets(_ pid: Int32) -> String {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
    return names.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.map { name in
        "\(name) → " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) ?? "?")
    }.joined(separator: ", ")
}

/// CPU time (user + system) a process has used, in clock ticks (1/100 s), from /proc/PID/stat.
func cpuTicks(_ pid: Int32) -> Int {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return -1 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
}

/// Raises this process's open-file limit to its hard limit, for tests that hold thousands of
/// sockets; the limit it got, so a test can say when the machine allows too few.
func raiseOpenFileLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

extension Array where Element: Equatable {
    func ends(with suffix: [Element]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// `body` with the IPv4 socket address HOST:PORT (127.0.0.1 unless told).
func withLoopbackAddress<T>(port: Int, host: UInt32 = 0x7F00_0001, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = host.bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
