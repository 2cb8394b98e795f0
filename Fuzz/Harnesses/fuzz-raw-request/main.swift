import FileTransfer
import FuzzDriver

/// The raw lesson protocol's request (a file name ended by a newline), fed in the pieces TCP
/// might deliver: the first byte sets the piece size.
runFuzzer { data, size in
    guard size > 0 else { return 0 }
    let piece = Int(data[0]) % 64 + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var request = RawRequest()
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + piece)
        do {
            if let name = try request.append(bytes[start..<end]) {
                precondition(name.count <= RawRequest.maxNameLength, "a name of \(name.count) bytes")
                return 0
            }
        } catch {
            return 0
        }
        start = end
    }
    _ = try? request.finish()
    return 0
}
