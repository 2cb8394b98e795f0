import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program the tour runs (nettool itself, or `ip`), with its output collected as it comes.
/// posix_spawn rather than Foundation's Process: nettool does not link Foundation, which keeps
/// every command's start-up fast.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let collected = Mutex<(out: [UInt8], err: [UInt8], openPipes: Int)>(([], [], 2))
    private let status = Mutex<Int32?>(nil)

    struct SpawnError: Error, CustomStringConvertible {
        let program: String
        let code: Int32
        var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
    }

    /// With `openInput`, the write end of the child's stdin, held open (and silent) until the
    /// process is stopped: a client that waits for input instead of seeing its end at once.
    private let inputFD: Int32?

    init(_ program: String, _ arguments: [String], openInput: Bool = false) throws {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0], inPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, !openInput || pipe(&inPipe) == 0 else { throw SpawnError(program: program, code: errno) }
        // Close-on-exec, so no other child inherits these ends; dup2 onto 0, 1 and 2 clears the flag there.
        for fd in outPipe + errPipe + inPipe where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if openInput {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // The tour ignores SIGINT and SIGTERM while it runs; its children must not inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE, SIGUSR1] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        if openInput { close(inPipe[0]) }
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            if openInput { close(inPipe[1]) }
            throw SpawnError(program: program, code: result)
        }
        inputFD = openInput ? inPipe[1] : nil
        pid = child
        drain(outPipe[0], toError: false)
        drain(errPipe[0], toError: true)
    }

    private func drain(_ fd: Int32, toError: Bool) {
        DispatchQueue.global().async { [self] in
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                collected.withLock {
                    if toError { $0.err += chunk[0..<count] } else { $0.out += chunk[0..<count] }
                }
            }
            close(fd)
            collected.withLock { $0.openPipes -= 1 }
        }
    }

    var stdout: String { String(decoding: collected.withLock { $0.out }, as: UTF8.self) }
    var stderr: String { String(decoding: collected.withLock { $0.err }, as: UTF8.self) }

    /// The exit status (128 + N for a signal), once the process has ended; nil while it runs.
    var exitStatus: Int32? {
        if let known = status.withLock({ $0 }) { return known }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status.withLock { $0 = code }
        return code
    }

    /// Waits up to `seconds` for the process to end and its output to be read; nil on timeout.
    @discardableResult
    func wait(seconds: Double) -> Int32? {
        guard poll(seconds: seconds, until: { $0.exitStatus != nil }) else { return nil }
        poll(seconds: 2) { process in process.collected.withLock { $0.openPipes == 0 } }
        return exitStatus
    }

    /// Polls `condition` every 5 ms for up to `seconds`; true when it held.
    @discardableResult
    func poll(seconds: Double, until condition: (ChildProcess) -> Bool) -> Bool {
        var waited = 0.0
        while waited < seconds {
            if condition(self) { return true }
            usleep(5_000)
            waited += 0.005
        }
        return condition(self)
    }

    func signal(_ number: Int32) {
        if exitStatus == nil { kill(pid, number) }
    }

    deinit {
        if let inputFD { close(inputFD) }
    }

    /// Ends the process: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    func stop(grace: Double = 2) {
        guard exitStatus == nil else { return }
        kill(pid, SIGTERM)
        if wait(seconds: grace) == nil {
            kill(pid, SIGKILL)
            wait(seconds: 2)
        }
    }
}
