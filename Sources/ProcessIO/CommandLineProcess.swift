#if canImport(Glibc)
import Glibc
#endif

/// Whether `path` names a folder (links followed).
public func isFolder(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
}

/// Why `path` cannot serve as a file to read (missing, not permitted, a folder), or nil.
public func unreadableFileReason(_ path: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0 else { return String(cString: strerror(errno)) }
    if status.st_mode & S_IFMT == S_IFDIR { return "is a folder; give a file whose bytes are the payload" }
    return nil
}

/// This program's own executable (to run it again as a child), from /proc/self/exe.
public func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The first argument before `--` that is a negative number (`-1`), not counting the `-4` and
/// `-6` flags: an option parser reads it as an unknown option.
public func negativeNumberArgument(_ arguments: ArraySlice<String>) -> String? {
    arguments.prefix { $0 != "--" }.first { argument in
        argument.count > 1 && argument.first == "-" && argument.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
            && argument != "-4" && argument != "-6"
    }
}
