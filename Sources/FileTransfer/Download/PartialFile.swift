import NIOCore
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// The download in progress: `PATH.part` holds the bytes so far and `PATH.part.meta` the
/// validator they belong to (ETag or Last-Modified), the full length and the source. The final
/// name only ever appears by rename(2) after fsync, so it is never half-written.
struct PartialFile {
    struct Meta: Equatable {
        var source: String
        var validator: String?
        var length: Int?

        var text: String {
            "source=\(source)\nvalidator=\(validator ?? "")\nlength=\(length.map(String.init) ?? "")\n"
        }

        init(source: String, validator: String?, length: Int?) {
            self.source = source
            self.validator = validator
            self.length = length
        }

        init?(text: String) {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            guard let source = fields["source"] else { return nil }
            self.source = source
            validator = fields["validator"].flatMap { $0.isEmpty ? nil : $0 }
            length = fields["length"].flatMap { Int($0) }
        }
    }

    let finalPath: String
    var partPath: String { finalPath + ".part" }
    var metaPath: String { finalPath + ".part.meta" }
    private(set) var fd: Int32 = -1
    private(set) var size = 0
    /// SHA-256 of the part as it grows; nil until it is opened.
    private(set) var hasher: FileHasher?

    init(finalPath: String) {
        self.finalPath = finalPath
    }

    /// Refuses to go on when the part file or its sidecar is a symbolic link: someone else made
    /// it, and writing through it would overwrite whatever it points at.
    func checkNoLinks() throws(DownloadError) {
        for path in [partPath, metaPath] {
            var status = Glibc.stat()
            if fstatat(AT_FDCWD, path, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFLNK {
                throw .refusedLink(path)
            }
        }
    }

    /// Refuses a destination folder that is missing, not a folder or not writable (a read-only
    /// mount, no permission), before anything is fetched that could not be kept.
    func checkFolder() throws(DownloadError) {
        let folder = finalPath.lastIndex(of: "/").map { $0 == finalPath.startIndex ? "/" : String(finalPath[..<$0]) } ?? "."
        let (shownPath, shownFolder) = (TerminalText.escape(finalPath), TerminalText.escape(folder))
        var status = Glibc.stat()
        guard stat(folder, &status) == 0 else {
            throw .io("cannot save \(shownPath): the folder \(shownFolder) "
                      + (errno == ENOENT ? "does not exist" : "cannot be reached (\(String(cString: strerror(errno))))")
                      + "; create it or choose another place with -o")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .io("cannot save \(shownPath): \(shownFolder) is not a folder") }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw .io("cannot save \(shownPath): the folder \(shownFolder) is not writable (\(String(cString: strerror(errno)))); "
                      + "choose another place with -o")
        }
    }

    /// What a previous attempt left: its bytes and what they belong to.
    func leftover() -> (bytes: Int, meta: Meta?) {
        var status = Glibc.stat()
        guard fstatat(AT_FDCWD, partPath, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG else { return (0, nil) }
        return (Int(status.st_size), readFile(metaPath).flatMap { Meta(text: String(decoding: $0, as: UTF8.self)) })
    }

    /// Opens the part file: keeping its bytes (hashed in the background, to carry on) or as a new,
    /// empty file. Never through a symbolic link: kept parts are opened with O_NOFOLLOW, and a new
    /// part is made with O_EXCL after the old one is unlinked, so no link can be slipped in between.
    mutating func open(keeping: Bool) throws(DownloadError) {
        closeFile()
        hasher = nil
        size = 0
        if keeping {
            fd = Glibc.open(partPath, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        } else {
            try Self.create(partPath, fd: &fd)
        }
        guard fd >= 0 else { throw Self.writeError(partPath) }
        let hasher = try FileHasher(path: partPath)
        self.hasher = hasher
        guard keeping else { return }
        var status = Glibc.stat()
        guard fstat(fd, &status) == 0 else { throw Self.writeError(partPath) }
        size = Int(status.st_size)
        hasher.advance(to: size)
    }

    /// Hands the open part to `writer`, which appends the body to it on the event loop.
    func arm<Part>(_ writer: BodyWriter<Part>, limit: Int?, ticker: ProgressTicker) {
        guard let hasher else { return }
        writer.arm(fd: fd, path: partPath, size: size, hasher: hasher, limit: limit, ticker: ticker)
    }

    /// Takes the writer's account of the part: its size (nil: it never wrote), or what went wrong
    /// (past --max-size, the part is removed).
    mutating func settle(_ outcome: (size: Int?, failure: DownloadError?)) throws(DownloadError) {
        if let written = outcome.size { size = written }
        guard let failure = outcome.failure else { return }
        if case .tooLarge = failure { discard() }
        throw failure
    }

    func saveMeta(_ meta: Meta) throws(DownloadError) {
        let bytes = Array(meta.text.utf8)
        var out: Int32 = -1
        try Self.create(metaPath, fd: &out)
        defer { close(out) }
        _ = bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
    }

    /// A new file at `path` (a leftover regular file is replaced; a link is refused, not followed).
    private static func create(_ path: String, fd: inout Int32) throws(DownloadError) {
        if unlink(path) != 0 && errno != ENOENT { throw writeError(path) }
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EEXIST { throw .refusedLink(path) }  // slipped in after the unlink
        guard fd >= 0 else { throw writeError(path) }
    }

    private static func writeError(_ path: String) -> DownloadError {
        errno == ELOOP ? .refusedLink(path) : .io("cannot write \(path): \(String(cString: strerror(errno)))")
    }

    /// The SHA-256 of the part's bytes, once the hasher has caught up with the writer.
    func digest() async throws(DownloadError) -> [UInt8] {
        guard let hasher else { throw .io("\(partPath) was never opened") }
        return try await hasher.finalize(size: size)
    }

    /// fsync, rename to the final name, drop the sidecar.
    mutating func complete() throws(DownloadError) {
        guard fsync(fd) == 0 else { throw .io("cannot sync \(partPath): \(String(cString: strerror(errno)))") }
        closeFile()
        guard rename(partPath, finalPath) == 0 else {
            throw .io("cannot rename \(partPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
        unlink(metaPath)
    }

    /// Removes the part and its sidecar: nothing worth keeping arrived.
    mutating func discard() {
        closeFile()
        unlink(partPath)
        unlink(metaPath)
    }

    /// After the last attempt failed: a part whose sidecar names no validator can never be
    /// resumed (-c would start over), so it is litter and goes. A part kept on purpose stays:
    /// one that failed its checksum, or one a full disk stopped (the sentence says it is kept).
    mutating func discardIfUnresumable(after error: DownloadError) {
        switch error {
        case .digestMismatch, .io, .refusedLink: return
        default: break
        }
        let leftover = leftover()
        if leftover.meta?.validator == nil && (leftover.bytes > 0 || leftover.meta != nil) { discard() }
    }

    mutating func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}

/// A small file of our own (the sidecar), never read through a link.
func readFile(_ path: String) -> [UInt8]? {
    var data: [UInt8] = []
    do {
        try forEachChunk(ofFile: path, flags: O_NOFOLLOW) { data += $0 }
    } catch {
        return nil
    }
    return data
}
