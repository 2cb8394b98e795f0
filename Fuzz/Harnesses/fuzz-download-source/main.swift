import FileTransfer
import FuzzDriver

/// A saved name never leaves the current folder and holds no control characters.
private func checkName(_ source: DownloadSource) {
    guard let name = try? source.savedName() else { return }
    precondition(!name.isEmpty && !name.utf8.contains(UInt8(ascii: "/")) && name != "." && name != ".." && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f },
                 "a saved name that escapes or carries control characters: \(name.debugDescription)")
}

/// download's SOURCE argument, then a redirect's Location resolved against it (the input split
/// at its first newline), and the file name each would be saved under.
runFuzzer { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard let source = try? DownloadSource.parse(parts[0]) else { return 0 }
    checkName(source)
    if parts.count > 1, let next = try? source.resolving(location: parts[1]) { checkName(next) }
    return 0
}
