import Foundation
import Testing
import Synchronization

/// Runs the built `nettool` binary (it sits next to the test bundle) and captures its output.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
    var stdoutData = Data()

    var jsonLines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("nettool").path

    static func nettool(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try program(binary, arguments, stdin: stdin.map { Data($0.utf8) })
    }

    /// Runs any program to completion (peers such as nc and socat, or nettool itself).
    static func program(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> Run {
        ignoreSIGPIPE
        let child = try ChildProcess(path, arguments, stdin: stdin ?? Data())
        child.waitUntilExit()
        // A grandchild that outlives it (a daemon) may hold its pipes open: wait for their end
        // for 10 s at most, never for ever.
        let deadline = Date().addingTimeInterval(10)
        while !child.outputEnded && Date() < deadline { usleep(1_000) }
        let outData = child.output.data.withLock { $0 }
        let errData = child.errors.data.withLock { $0 }
        return Run(status: child.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
    }
}

/// A TCP socket listening on 127.0.0.1 with a kernel-chosen port, closed on deinit.
final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init(backlog: Int32 = 1) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard fd >= 0, bound == 0, listen(fd, backlog) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Accepts one connection (waiting up to `seconds`) and aborts it with a reset.
    func acceptAndReset(within seconds: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) > 0 else { return false }
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return false }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        return close(connection) == 0
    }

    /// Accepts one connection, reads what the client sends until its FIN, writes back only the
    /// first `echoed` bytes and closes in order (FIN, no reset): a server that gives up early.
    func acceptEchoPartly(_ echoed: Int, within seconds: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) > 0 else { return false }
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return false }
        defer { close(connection) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return send(connection, received, Swift.min(echoed, received.count), 0) >= 0
    }

    deinit { close(fd) }
}

final class SharedData: Sendable {
    let data = Mutex(Data())
    /// Set when the pipe reached end of file: everything the process wrote has been read.
    let ended = Mutex(false)

    func append(_ chunk: Data) {
        if chunk.isEmpty { ended.withLock { $0 = true } } else { data.withLock { $0.append(chunk) } }
    }
}

/// A program running in the background for the length of a test: its output is collected as it
/// comes, and it is killed (SIGKILL) when the test drops it, so nothing outlives the test.
final class BackgroundProcess: @unchecked Sendable {
    private let child: ChildProcess
    private var output: SharedData { child.output }
    private var errors: SharedData { child.errors }

    init(_ path: String, _ arguments: [String], directory: String? = nil) throws {
        ignoreSIGPIPE
        child = try ChildProcess(path, arguments, directory: directory)
    }

    static func nettool(_ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(Run.binary, arguments)
    }

    var stdout: Data { output.data.withLock { $0 } }
    var stderrText: String { String(decoding: errors.data.withLock { $0 }, as: UTF8.self) }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var isRunning: Bool { child.isRunning }
    var pid: Int32 { child.pid }
    var status: Int32 { child.terminationStatus }

    /// Polls every `interval` microseconds until `condition` holds or `seconds` pass; true when it held.
    @discardableResult
    func wait(upTo seconds: Double = 5, interval: UInt32 = 10_000, until condition: (BackgroundProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(self) { return true }
            usleep(interval)
        }
        return condition(self)
    }

    /// Waits for the process to end by itself and its output to be read to the end, up to
    /// `seconds`; false if it is still running.
    func waitForExit(upTo seconds: Double = 5) -> Bool {
        guard wait(upTo: seconds, until: { !$0.isRunning }) else { return false }
        // The output may still be in the pipe; give the readers a moment to reach end of file.
        wait(upTo: 1) { $0.child.outputEnded }
        return true
    }

    /// The port a server reports once it listens: a "listening on ADDRESS:PORT/..." line on
    /// stderr, or with --json a `{"event":"listening",...,"port":N}` line on stdout.
    func listeningPort(upTo seconds: Double = 5) -> Int? {
        var port: Int?
        wait(upTo: seconds) { process in
            if let line = process.stderrText.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let slash = line.firstIndex(of: "/") {
                port = line[line.index(line.startIndex, offsetBy: 13)..<slash].split(separator: ":").last.flatMap { Int($0) }
            } else if let line = process.stdoutText.split(separator: "\n").first(where: { $0.contains(#""event":"listening""#) }),
                      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                port = object["port"] as? Int
            }
            return port != nil
        }
        return port
    }

    func signal(_ number: Int32) { kill(child.pid, number) }
}

/// A UDP port that is free right now on 127.0.0.1 and ::1 (bound, read back, released), for
/// peers like socat and nc that need a port number up front.
func freeUDPPort() -> Int {
    for _ in 0..<20 {
        let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        let size = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        let port = Int(UInt16(bigEndian: address.sin6_port))
        if port > 0 { return port }
    }
    return 0
}

/// A peer that exits before reading all of its stdin must not kill the test runner with SIGPIPE.
let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

/// The path of a peer tool a test runs against; when it is missing the test fails, saying
/// what to install: a test that cannot run its peer must not pass without it.
func peer(_ name: String, package: String) throws -> String {
    let path = ["/usr/bin/", "/usr/sbin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    return try #require(path, "\(name) is missing: apt-get install \(package) (scripts/ensure-deps.sh installs every peer)")
}
