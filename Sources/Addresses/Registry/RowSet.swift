/// A set of rows of one generated registry table, as a bitmask over row indices. Every table
/// has fewer than 64 rows (the generator checks), so a classification records its matches
/// without allocating, which keeps batch classification fast.
public struct RowSet: Sendable, Equatable, Sequence {
    public private(set) var bits: UInt64 = 0

    public init() {}

    mutating func insert(_ index: Int) { bits |= 1 << UInt64(index) }

    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }
    /// The lowest index: tables are sorted most specific first, so this is the best match.
    public var first: Int? { bits == 0 ? nil : bits.trailingZeroBitCount }

    public func makeIterator() -> Iterator { Iterator(remaining: bits) }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt64

        public mutating func next() -> Int? {
            guard remaining != 0 else { return nil }
            let index = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return index
        }
    }
}
