#if canImport(Glibc)
import Glibc
#endif

enum FilesLesson {
    static let size = 32 << 20

    static func run(_ tour: TourContext) throws {
        let scratch = try tour.scratchFolder()
        let served = scratch + "/public", saved = scratch + "/downloads"
        mkdir(served, 0o755)
        mkdir(saved, 0o755)
        try writeLessonFile(served + "/lesson.bin")

        let serverArguments = ["file-server", "--root", served, "--bind", "127.0.0.1", "--port", "0"]
        guard let (server, port, serverToken) = try tour.startServer(serverArguments, lesson: .files, number: 1,
                title: "A file server") else { return }
        defer { tour.cleanup.run(serverToken) }
        tour.emit(TourStep(
            lesson: .files, number: 1, title: "Serving a folder over HTTP/1.1",
            command: command(serverArguments), output: lines(server.stderr),
            explanation: "A 32 MiB file, lesson.bin, made for this lesson in \(served), served over HTTP/1.1.",
            ok: true, facts: [("port", String(port)), ("folder", scratch)]))

        let url = "http://127.0.0.1:\(port)/lesson.bin"
        let fullArguments = ["download", url, "-o", saved + "/lesson.bin", "--progress"]
        let full = try tour.run(fullArguments, seconds: 120)
        let digest = sha256(in: full.err)
        tour.emit(TourStep(
            lesson: .files, number: 2, title: "Downloading it, with a progress bar",
            command: command(fullArguments), output: lastProgressState(full.err),
            explanation: """
                One GET. The response head gives the length, an ETag and a Repr-Digest (the file's \
                SHA-256); download writes lesson.bin.part, hashes the bytes as they arrive, checks \
                the digest, fsyncs, and only then renames the file to its final name.
                """,
            ok: full.status == 0 && digest != nil && full.err.contains("matches the server's Repr-Digest"),
            facts: [("sha256", digest ?? "")]))
        unlink(saved + "/lesson.bin")  // only its digest is needed from here on

        // A download killed part-way, as a dropped connection or a Ctrl-C would leave it.
        let partial = saved + "/resumed.bin"
        let (cut, cutToken) = try tour.start(["download", url, "-o", partial, "--quiet"])
        cut.poll(seconds: 60) { _ in fileSize(partial + ".part") >= 1 << 20 || cut.exitStatus != nil }
        cut.signal(SIGKILL)
        cut.wait(seconds: 5)
        tour.cleanup.run(cutToken)
        let kept = fileSize(partial + ".part")
        tour.emit(TourStep(
            lesson: .files, number: 3, title: "A download interrupted",
            command: command(["download", url, "-o", partial]) + "   (killed part-way)",
            output: ["\(partial).part holds \(kept) of \(size) bytes"],
            explanation: """
                The process was killed mid-transfer. What arrived is in resumed.bin.part, and \
                resumed.bin.part.meta remembers the source, the file's validator (its ETag) and length.
                """,
            ok: kept > 0 && kept < size))

        let resumeArguments = ["download", "-c", url, "-o", partial, "--sha256", digest ?? ""]
        let resumed = try tour.run(resumeArguments, seconds: 120)
        tour.emit(TourStep(
            lesson: .files, number: 4, title: "Resuming it, and verifying the SHA-256",
            command: command(resumeArguments), output: lines(resumed.out) + lines(resumed.err),
            explanation: """
                -c asks only for the missing bytes: Range: bytes=\(kept)- with If-Range: <ETag>. Had \
                the file changed on the server, If-Range would have made it send the whole new \
                file instead of splicing old and new bytes. The SHA-256 of the finished file \
                matches --sha256 and the server's digest.
                """,
            ok: resumed.status == 0 && resumed.err.contains("resumed at") && sha256(in: resumed.err) == digest))
        unlink(partial)

        let rawArguments = ["file-server", "--protocol", "raw", "--root", served, "--bind", "127.0.0.1", "--port", "0"]
        let (rawServer, rawToken) = try tour.start(rawArguments)
        defer { tour.cleanup.run(rawToken) }
        let rawPort = tour.waitForListeningPort(rawServer) ?? 0
        let rawDownload = ["download", "raw://127.0.0.1:\(rawPort)/lesson.bin", "-o", saved + "/raw.bin"]
        let raw = try tour.run(rawDownload, seconds: 120)
        tour.emit(TourStep(
            lesson: .files, number: 5, title: "The same file over the raw lesson protocol",
            command: command(rawArguments) + "\n$ " + command(rawDownload),
            output: lines(raw.out) + lines(raw.err),
            explanation: """
                The classic exercise: connect, send the file name and a newline, read until the \
                server closes. No headers, so no length to check against, no validator and no \
                resume; the only sign of the end is the close. Same bytes, same SHA-256; HTTP adds \
                what you need when things go wrong.
                """,
            ok: raw.status == 0 && sha256(in: raw.err) == digest))
        removeTree(saved)
    }

    /// `size` bytes of a repeating pattern, written in 1 MiB blocks.
    static func writeLessonFile(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TourError.scratch(String(cString: strerror(errno))) }
        defer { close(fd) }
        let block = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        for _ in 0..<(size >> 20) {
            _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return fstatat(AT_FDCWD, path, &info, 0) == 0 ? Int(info.st_size) : 0
    }

    /// The hex digest from download's "sha256 HEX" line.
    static func sha256(in output: String) -> String? {
        for line in lines(output) where line.hasPrefix("sha256 ") {
            return line.split(separator: " ").dropFirst().first.map(String.init)
        }
        return nil
    }

    /// The progress bar redraws itself with carriage returns; keep its last state and the result lines.
    static func lastProgressState(_ output: String) -> [String] {
        lines(output).compactMap { line in
            line.split(separator: "\r").last.map { String($0).trimmingTrailingSpaces() }
        }.filter { !$0.isEmpty }
    }
}
