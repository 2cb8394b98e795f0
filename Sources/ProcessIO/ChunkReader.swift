#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor in large blocks and hands them out cut after the last newline,
/// so every block holds whole lines (the final block may lack its newline).
public struct ChunkReader {
    private let fd: Int32
    private let blockSize: Int
    private var carry: [UInt8] = []

    public init(fd: Int32, blockSize: Int = 1 << 20) {
        self.fd = fd
        self.blockSize = blockSize
    }

    /// The next block of whole lines, or nil at end of input. Returns as soon as one `read`
    /// brings a newline, so interactive input is answered line by line.
    public mutating func next() -> [UInt8]? {
        var block = carry
        carry = []
        var scratch = [UInt8](repeating: 0, count: blockSize)
        while true {
            let count = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return block.isEmpty ? nil : block }
            block.append(contentsOf: scratch[..<count])
            if let lastNewline = block.lastIndex(of: UInt8(ascii: "\n")) {
                carry = Array(block[(lastNewline + 1)...])
                block.removeSubrange((lastNewline + 1)...)
                return block
            }
        }
    }
}
