import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The NSS key log (SSLKEYLOGFILE) format: one line per secret, appended, so Wireshark or
/// `tshark -o tls.keylog_file:FILE` can decrypt a capture of these connections. Opened once;
/// each line is one write(2) on an O_APPEND descriptor, whole even with many connections.
///
/// The secrets decrypt every byte of these connections, so the file is only ever one this user
/// alone can read: it is never opened through a symbolic link (a planted link would send the
/// secrets wherever it points), a new one is made 0600, and an existing one is refused unless
/// it is a regular file of this user's that nobody else may read or write.
final class KeyLogFile: Sendable {
    private let fd: Int32

    init(path: String) throws(TLSFailure) {
        // O_NONBLOCK: a FIFO put there fails at once (ENXIO) instead of blocking the open.
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; the TLS secrets are never written through one (give the file itself)"
                : String(cString: strerror(errno))
            throw .badFile(path: path, reason: reason)
        }
        var status = stat()
        let problem = fstat(fd, &status) != 0 ? String(cString: strerror(errno)) : Self.problem(status)
        if let problem {
            close(fd)
            throw .badFile(path: path, reason: problem)
        }
    }

    deinit { close(fd) }

    /// Why an opened key log must not hold the secrets; nil when it may.
    private static func problem(_ status: stat) -> String? {
        guard status.st_mode & S_IFMT == S_IFREG else { return "it is not a regular file" }
        guard status.st_uid == geteuid() else { return "it belongs to another user, who could read the TLS secrets" }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            return "others may read or write it (mode \(String(mode, radix: 8))), and it would hold the TLS secrets; "
                + "run chmod 600 on it, or give a new file (made 0600)"
        }
        return nil
    }

    func append(_ line: ByteBuffer) {
        var bytes = Array(line.readableBytesView)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
