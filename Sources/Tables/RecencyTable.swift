/// A dictionary that keeps at most `limit` entries: adding one past the limit evicts the
/// least recently touched. Keys are queued when added and re-queued lazily when found
/// touched since, so each operation is O(1) amortised and memory stays bounded.
public struct RecencyTable<Key: Hashable, Value> {
    private var table: [Key: (value: Value, touch: Int)] = [:]
    /// Keys in the order they were last queued, each with its touch count at that moment.
    private var age: [(key: Key, touch: Int)] = []
    private var ageStart = 0
    private var touchCount = 0
    public let limit: Int
    /// Entries dropped to stay within `limit`.
    public private(set) var evicted = 0

    public init(limit: Int) {
        precondition(limit > 0, "a table must hold at least one entry")
        self.limit = limit
    }

    public var count: Int { table.count }
    public var values: [Value] { table.values.map(\.value) }

    public subscript(key: Key) -> Value? { table[key]?.value }

    /// Runs `body` on the entry for `key`, made by `make` first if there is none (evicting the
    /// oldest entry when the table is full, returned as `evicted`), and marks it as just seen.
    public mutating func update<Result>(_ key: Key, orInsert make: () -> Value,
                                        _ body: (inout Value) -> Result) -> (result: Result, evicted: Value?) {
        touchCount += 1
        if let index = table.index(forKey: key) {
            table.values[index].touch = touchCount
            return (body(&table.values[index].value), nil)
        }
        let dropped = table.count >= limit ? evictOldest() : nil
        var value = make()
        let result = body(&value)
        table[key] = (value, touchCount)
        age.append((key, touchCount))
        return (result, dropped)
    }

    /// Drops `key`'s entry (its queued place is skipped when reached).
    public mutating func remove(_ key: Key) {
        table.removeValue(forKey: key)
    }

    private mutating func evictOldest() -> Value? {
        defer { compact() }
        while ageStart < age.count {
            let (key, touch) = age[ageStart]
            ageStart += 1
            guard let latest = table[key]?.touch else { continue }
            if latest > touch {
                age.append((key, latest))  // touched since it was queued: not the oldest
                continue
            }
            evicted += 1
            return table.removeValue(forKey: key)?.value
        }
        return nil
    }

    /// Drops the queue's consumed front once it is most of the array.
    private mutating func compact() {
        if ageStart > 4096 && ageStart * 2 > age.count {
            age.removeFirst(ageStart)
            ageStart = 0
        }
    }
}

extension RecencyTable: Sendable where Key: Sendable, Value: Sendable {}
