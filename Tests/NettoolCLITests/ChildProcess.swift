import Foundation
import Synchronization

/// A program the tests start, through posix_spawn. Not Foundation's Process: on Linux its run()
/// copies each /proc/self/fd entry's full 256-byte name field, reading past the end of glibc's
/// buffer, which crashed a full test run (swift-corelibs-foundation PR #5472, present in Swift
/// 6.3.1); and to start a child in another folder it changes the whole test process's working
/// directory. Like Process, the child gets no descriptor of the test process but 0, 1 and 2,
/// default signal dispositions and its own process group.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let output = SharedData()
    let errors = SharedData()
    /// The wait status once the child has been reaped; reaped exactly once, under this lock.
    private let reaped = Mutex<Int32?>(nil)

    struct SpawnError: Error, CustomStringConvertible {
        let program: String
        let code: Int32
        var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
    }

    /// `stdin`: bytes written to the child's standard input, which is then closed; nil gives it /dev/null.
    init(_ path: String, _ arguments: [String], directory: String? = nil, stdin: Data? = nil) throws {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, stdin == nil || pipe(&inPipe) == 0 else {
            throw SpawnError(program: path, code: errno)
        }
        // Close-on-exec for children started by other paths; every child here also gets closefrom(3).
        for fd in outPipe + errPipe + inPipe where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin != nil {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        _ = SpawnExtensions.closeFrom(&actions, 3)
        if let directory { _ = SpawnExtensions.changeDirectory(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test process ignores SIGPIPE; a child must not inherit that, nor any blocked signal.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        for fd in [outPipe[1], errPipe[1], inPipe[0]] where fd >= 0 { close(fd) }
        guard result == 0 else {
            for fd in [outPipe[0], errPipe[0], inPipe[1]] where fd >= 0 { close(fd) }
            throw SpawnError(program: path, code: result)
        }
        pid = child
        Self.drain(outPipe[0], into: output)
        Self.drain(errPipe[0], into: errors)
        if let stdin {
            // On a thread of its own: a large input would otherwise fill the pipe and deadlock
            // the test against a child that writes before it reads.
            let fd = inPipe[1]
            Thread {
                stdin.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        guard written > 0 else { break }
                        offset += written
                    }
                }
                close(fd)
            }.start()
        }
    }

    /// Reads a pipe to its end on a thread of its own (a blocking read must not hold one of the
    /// few threads of dispatch's or Swift's pools).
    private static func drain(_ fd: Int32, into data: SharedData) {
        Thread {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                data.append(Data(chunk[0..<count]))
            }
            close(fd)
            data.append(Data())
        }.start()
    }

    var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
            return status == nil
        }
    }

    /// The exit status, or the number of the signal that ended it (as Foundation's Process has it).
    var terminationStatus: Int32 {
        guard let raw = reaped.withLock({ $0 }) else { return -1 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    func waitUntilExit() {
        while isRunning { usleep(1_000) }
    }

    /// Both pipes read to their end: everything the child wrote is in `output` and `errors`.
    var outputEnded: Bool { output.ended.withLock { $0 } && errors.ended.withLock { $0 } }

    /// The whole process group goes: a program that forks (nginx's workers) leaves nothing behind.
    deinit {
        kill(-pid, SIGKILL)
        waitUntilExit()
    }
}

/// glibc's posix_spawn extensions that Swift's Glibc module does not import (they sit behind
/// feature macros): looked up once by name.
private enum SpawnExtensions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom = unsafeBitCast(symbol("posix_spawn_file_actions_addclosefrom_np"), to: CloseFrom.self)
    static let changeDirectory = unsafeBitCast(symbol("posix_spawn_file_actions_addchdir_np"), to: ChangeDirectory.self)

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer {
        guard let address = dlsym(nil, name) else { fatalError("glibc 2.34 or later is needed for \(name)") }
        return address
    }
}
