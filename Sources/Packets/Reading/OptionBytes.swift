/// Up to 40 bytes of header options (the most an IPv4 or TCP header can hold), kept inline so
/// decoding a packet allocates nothing. The options are walked when they are read.
public struct OptionBytes: Equatable, Sendable {
    public static let capacity = 40
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    public private(set) var count = 0

    public init() {}

    /// The first `capacity` bytes of `bytes` (a header's options never hold more).
    init(_ bytes: UnsafeRawBufferPointer) {
        count = Swift.min(bytes.count, Self.capacity)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(count))) }
    }

    public var isEmpty: Bool { count == 0 }

    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    public static func == (left: OptionBytes, right: OptionBytes) -> Bool {
        left.count == right.count && left.withBytes { a in right.withBytes { b in a.elementsEqual(b) } }
    }
}
