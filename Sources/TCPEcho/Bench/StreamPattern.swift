import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The bytes the load generator sends, so every echoed byte can be checked without keeping a
/// copy of what was sent: the byte at stream offset `i` is `i % 251`. 251 is prime, so the
/// pattern does not line up with message sizes and a byte echoed at the wrong offset (lost,
/// duplicated, reordered) is caught, not only a corrupted one. Pure.
public struct StreamPattern {
    public static let period = 251
    /// Longest run compared in one go.
    static let window = 64 * 1024

    private let reference: [UInt8]

    public init() {
        reference = (0..<(Self.window + Self.period)).map { UInt8($0 % Self.period) }
    }

    /// Storage for messages of `size` bytes: message `k` is the slice at `offset(ofMessage:)`.
    public static func messageStorage(size: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size + period)
        for index in 0..<(size + period) { buffer.writeInteger(UInt8(index % period)) }
        return buffer
    }

    public static func offset(ofMessage number: Int, size: Int) -> Int {
        Int((UInt64(number) &* UInt64(size)) % UInt64(period))
    }

    /// Checks `bytes` as the stream's bytes from `position` on: nil when all match, else the
    /// stream offset of the first wrong byte.
    public func firstMismatch(_ bytes: UnsafeRawBufferPointer, at position: Int) -> Int? {
        var done = 0
        while done < bytes.count {
            let length = min(Self.window, bytes.count - done)
            let phase = (position + done) % Self.period
            let equal = reference.withUnsafeBytes { ref in
                memcmp(bytes.baseAddress! + done, ref.baseAddress! + phase, length) == 0
            }
            if !equal {
                for index in 0..<length where bytes[done + index] != reference[phase + index] {
                    return position + done + index
                }
            }
            done += length
        }
        return nil
    }
}
