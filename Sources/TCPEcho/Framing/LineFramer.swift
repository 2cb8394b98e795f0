import NIOCore

/// Cuts a byte stream into lines for `tcp-echo-server --line`. TCP delivers bytes, not
/// messages: one read may hold half a line or several lines, so bytes wait here until their
/// newline arrives. Pure: bytes in, lines out.
public struct LineFramer: Sendable {
    public struct LineTooLong: Error, Sendable {
        public let limit: Int
    }

    public let maxLineLength: Int
    private var buffer = ByteBuffer()
    /// Bytes of `buffer` already searched for a newline, so each byte is scanned once.
    private var scanned = 0

    public init(maxLineLength: Int = 64 * 1024) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes received but not yet part of a complete line.
    public var pendingBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next complete line, newline included; nil until one has arrived. Throws when more
    /// than `maxLineLength` bytes arrive without a newline, so a peer cannot fill memory, and
    /// for a line over that length whose newline came in the same read.
    public mutating func nextLine() throws(LineTooLong) -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if scanned > maxLineLength { throw LineTooLong(limit: maxLineLength) }
            return nil
        }
        scanned = 0
        let length = newline - view.startIndex + 1
        if length - 1 > maxLineLength { throw LineTooLong(limit: maxLineLength) }
        let line = buffer.readSlice(length: length)
        if buffer.readableBytes == 0 { buffer.clear() }
        return line
    }

    /// At end of input: whatever came after the last newline, if anything.
    public mutating func remainder() -> ByteBuffer? {
        scanned = 0
        guard buffer.readableBytes > 0 else { return nil }
        return buffer.readSlice(length: buffer.readableBytes)
    }
}
