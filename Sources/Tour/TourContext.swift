#if canImport(Glibc)
import Glibc
#endif

/// What every lesson uses: this executable to run as its own subcommands, a scratch folder,
/// the cleanup list, and where finished steps go.
public final class TourContext: @unchecked Sendable {
    /// This nettool binary; lessons run it as a person would type `nettool …`.
    let nettool: String
    let cleanup: TourCleanup
    private let emitStep: (TourStep) -> Void
    private(set) var failures = 0
    private(set) var skipped = 0
    private var scratch: String?

    public init(nettool: String, cleanup: TourCleanup, emit: @escaping (TourStep) -> Void) {
        self.nettool = nettool
        self.cleanup = cleanup
        self.emitStep = emit
    }

    func emit(_ step: TourStep) {
        if step.skipped != nil {
            skipped += 1
        } else if !step.ok {
            failures += 1
        }
        emitStep(step)
    }

    /// A private folder under /tmp for this run, removed when the tour ends or is interrupted.
    func scratchFolder() throws -> String {
        if let scratch { return scratch }
        var template = Array("/tmp/nettool-tour-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TourError.scratch(String(cString: strerror(errno))) }
        let path = String(cString: made)
        _ = cleanup.add { removeTree(path) }
        scratch = path
        return path
    }

    /// Starts `nettool ARGUMENTS` in the background; it is stopped at cleanup if still running.
    /// `openInput`: its stdin stays open and silent (an interactive client that types nothing).
    func start(_ arguments: [String], program: String? = nil, openInput: Bool = false) throws -> (ChildProcess, Int) {
        let child = try ChildProcess(program ?? nettool, arguments, openInput: openInput)
        let token = cleanup.add { child.stop(grace: 1) }
        return (child, token)
    }

    /// Runs `nettool ARGUMENTS` (or `program`) to completion, at most `seconds`.
    func run(_ arguments: [String], program: String? = nil, seconds: Double = 30) throws -> (status: Int32?, out: String, err: String) {
        let (child, token) = try start(arguments, program: program)
        let status = child.wait(seconds: seconds)
        cleanup.run(token)
        return (status, child.stdout, child.stderr)
    }
}

enum TourError: Error, CustomStringConvertible {
    case scratch(String)

    var description: String {
        switch self {
        case .scratch(let reason): "cannot make a scratch folder in /tmp: \(reason)"
        }
    }
}

/// `rm -rf PATH` with plain system calls.
func removeTree(_ path: String) {
    if let directory = opendir(path) {
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            removeTree(path + "/" + name)
        }
        closedir(directory)
        rmdir(path)
    } else {
        unlink(path)
    }
}

extension TourContext {
    /// Starts the server `nettool ARGUMENTS` and waits up to 10 s for the port it reports on
    /// stderr ("listening on ADDRESS:PORT/..."); the server is stopped at cleanup (its token). When
    /// it does not start, it is stopped, step `number` of `lesson` says so, and this is nil.
    func startServer(_ arguments: [String], lesson: LessonID, number: Int, title: String) throws -> (ChildProcess, Int, Int)? {
        let (process, token) = try start(arguments)
        if let port = waitForListeningPort(process) { return (process, port, token) }
        cleanup.run(token)
        emit(TourStep(lesson: lesson, number: number, title: title, command: command(arguments),
                      output: lines(process.stderr), explanation: "It did not start.", ok: false))
        return nil
    }

    func waitForListeningPort(_ process: ChildProcess) -> Int? {
        process.poll(seconds: 10) { listeningPort($0.stderr) != nil }
        return listeningPort(process.stderr)
    }
}

/// The `[explain]` steps in `text` that start with one of `prefixes`, without their tag.
func explained(_ text: String, _ prefixes: [String]) -> [String] {
    lines(text).compactMap { line in
        guard line.hasPrefix("[explain] ") else { return nil }
        let step = String(line.dropFirst("[explain] ".count))
        return prefixes.contains { step.hasPrefix($0) } ? step : nil
    }
}

/// Lines of `text`, without empty ones.
func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
}

/// The value after `prefix` up to the next `/`, in the "listening on ADDRESS:PORT/proto" line.
func listeningPort(_ text: String) -> Int? {
    guard let line = lines(text).first(where: { $0.hasPrefix("listening on ") }),
          let slash = line.firstIndex(of: "/"),
          let colon = line[..<slash].lastIndex(of: ":") else { return nil }
    return Int(line[line.index(after: colon)..<slash])
}

/// A UDP port on 127.0.0.1 that nothing is bound to right now (bound, read back, released).
func unusedUDPPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `nettool ARGUMENTS` as a person would type it into a shell: arguments with spaces or
/// shell characters in single quotes.
func command(_ arguments: [String]) -> String {
    "nettool " + arguments.map { argument in
        let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:%@,=+[]".contains($0) }
        return plain ? argument : "'" + argument.replacingAll("'", with: "'\\''") + "'"
    }.joined(separator: " ")
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }

    func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
