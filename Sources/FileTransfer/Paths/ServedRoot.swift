#if canImport(Glibc)
import Glibc
#endif

/// What `stat(2)` says about a served file or folder.
public struct FileInfo: Sendable, Equatable {
    public let path: String
    public let size: Int
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int
    public let inode: UInt64
    public let isDirectory: Bool
    public let isRegular: Bool
}

/// The folder `file-server` serves, and the one place that turns a request into a file on
/// disk. A `RequestPath` already holds no `..`; here symbolic links are followed with
/// realpath(3) and the result must still be inside the root, so a link pointing out is refused.
public struct ServedRoot: Sendable {
    public let path: String
    public let showHidden: Bool

    public enum Resolution: Sendable, Equatable {
        case file(FileInfo)
        case directory(FileInfo)
        case notFound
        /// A symbolic link leads outside the root.
        case outside
        /// A symbolic link leads to a hidden file or folder, and hidden ones are not served.
        case hiddenTarget
        /// Not a regular file or folder (a device, a socket, a FIFO).
        case notRegular

        /// Status and reason when this is not a file to send.
        public var refusal: (status: Int, note: String)? {
            switch self {
            case .file: return nil
            case .directory: return (404, "a folder, not a file")
            case .notFound: return (404, "no such file")
            case .outside: return (403, "a symbolic link leads outside the served folder")
            case .hiddenTarget: return (403, "a symbolic link leads to a hidden name (served only with --show-hidden)")
            case .notRegular: return (403, "not a regular file")
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let isDirectory: Bool
        public let size: Int
    }

    /// Nil when `path` is not an existing folder.
    public init?(_ path: String, showHidden: Bool) {
        guard let real = Self.realPath(path), let info = Self.stat(real), info.isDirectory else { return nil }
        self.path = real
        self.showHidden = showHidden
    }

    public func resolve(_ request: RequestPath) -> Resolution {
        let candidate = request.components.isEmpty ? path : path + "/" + request.relative
        guard let real = Self.realPath(candidate) else { return .notFound }
        guard contains(real) else { return .outside }
        guard showHidden || !isHidden(real) else { return .hiddenTarget }
        guard let info = Self.stat(real) else { return .notFound }
        if info.isDirectory { return .directory(info) }
        return info.isRegular ? .file(info) : .notRegular
    }

    /// The folder's entries, folders first, then by name; hidden ones only with --show-hidden.
    public func entries(of directory: String) -> [Entry] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var entries: [Entry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." || (name.hasPrefix(".") && !showHidden) { continue }
            // A symbolic link that leads out of the root is not shown (nor served).
            guard let real = Self.realPath(directory + "/" + name), contains(real), showHidden || !isHidden(real),
                  let info = Self.stat(real) else { continue }
            entries.append(Entry(name: name, isDirectory: info.isDirectory, size: info.size))
        }
        return entries.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }

    /// Whether a resolved path inside the root has a hidden component below the root: the rule
    /// for names applies to where a link leads, not only to the name asked for.
    private func isHidden(_ real: String) -> Bool {
        real.dropFirst(path.count).split(separator: "/").contains { $0.hasPrefix(".") }
    }

    private func contains(_ real: String) -> Bool {
        real == path || real.hasPrefix(path == "/" ? "/" : path + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func stat(_ path: String) -> FileInfo? {
        var status = Glibc.stat()
        guard fstatat(AT_FDCWD, path, &status, 0) == 0 else { return nil }
        return FileInfo(path: path, size: Int(status.st_size), modifiedSeconds: Int(status.st_mtim.tv_sec),
                        modifiedNanoseconds: Int(status.st_mtim.tv_nsec), inode: UInt64(status.st_ino),
                        isDirectory: status.st_mode & S_IFMT == S_IFDIR, isRegular: status.st_mode & S_IFMT == S_IFREG)
    }
}
