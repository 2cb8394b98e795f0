#if canImport(Glibc)
import Glibc
#endif

/// Maps socket inodes to the processes holding them, the way `ss -p` and `lsof -i` do:
/// every /proc/PID/fd/N that links to `socket:[INODE]`.
enum SocketOwners {
    static func scan(inodes: Set<UInt64>, procRoot: String) -> [UInt64: (pid: Int32, name: String)] {
        var owners: [UInt64: (pid: Int32, name: String)] = [:]
        for pid in directoryEntries(procRoot).compactMap({ Int32($0) }) {
            let fdDirectory = "\(procRoot)/\(pid)/fd"
            for fd in directoryEntries(fdDirectory) {
                guard let target = readLink("\(fdDirectory)/\(fd)"), target.hasPrefix("socket:["),
                      let inode = UInt64(target.dropFirst(8).dropLast()), inodes.contains(inode),
                      owners[inode] == nil else { continue }
                let name = readSmallFile("\(procRoot)/\(pid)/comm")?.trimmed ?? "?"
                owners[inode] = (pid, name)
            }
            if owners.count == inodes.count { break }
        }
        return owners
    }

    private static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) { readlink(path, $0, pointer.count) }
        }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

/// Reads a small text file (/proc, /etc/services) without Foundation; nil when unreadable.
public func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        data.append(contentsOf: chunk[..<count])
    }
    return String(decoding: data, as: UTF8.self)
}

extension Substring {
    /// The text without the given characters at either end (Foundation's, without Foundation).
    public func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
