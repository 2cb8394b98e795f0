import FileTransfer
import FuzzDriver

/// A request target as file-server gets it (origin and absolute form, percent-encoding, dot
/// segments, hidden names) and a raw-protocol file name.
runFuzzer { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let target = String(decoding: bytes, as: UTF8.self)
    if let origin = try? RequestPath.originForm(target, isOurs: { host, port in host == "127.0.0.1" && port == 8080 }) {
        for showHidden in [false, true] {
            if let path = try? RequestPath.fromTarget(origin, showHidden: showHidden) {
                precondition(!path.components.contains { $0 == ".." || $0.utf8.contains(UInt8(ascii: "/")) },
                             "a path that escapes the root: \(path.components)")
            }
        }
    }
    _ = try? RequestPath.fromName(bytes, showHidden: false)
    return 0
}
