import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The NSS key log (SSLKEYLOGFILE) format: one line per secret, appended, so Wireshark or
/// `tshark -o tls.keylog_file:FILE` can decrypt a capture of these connections. Opened once;
/// each line is one write(2) on an O_APPEND descriptor, whole even with many connections.
final class KeyLogFile: Sendable {
    private let fd: Int32

    init(path: String) throws(TLSFailure) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .badFile(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    func append(_ line: ByteBuffer) {
        var bytes = Array(line.readableBytesView)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
