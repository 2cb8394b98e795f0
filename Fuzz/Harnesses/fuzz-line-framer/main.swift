import FuzzDriver
import NIOCore
import TCPEcho

/// tcp-echo-server --line framing over reads of any size (the first byte sets it): whole lines
/// come out in order, nothing is lost or invented, and the buffer stays under its limit.
runFuzzer { data, size in
    guard size > 0 else { return 0 }
    let piece = Int(data[0]) % 32 + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var framer = LineFramer(maxLineLength: 128)
    var out: [UInt8] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + piece)
        framer.append(ByteBuffer(bytes: bytes[start..<end]))
        do {
            while let line = try framer.nextLine() {
                precondition(line.readableBytes > 0 && line.readableBytes <= 129 && line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == 10)
                out += line.readableBytesView
            }
        } catch {
            return 0
        }
        start = end
    }
    if let rest = framer.remainder() { out += rest.readableBytesView }
    precondition(out == bytes, "the lines framed are not the bytes fed")
    return 0
}
