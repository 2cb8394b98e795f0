/// What a lookup needs of a special-purpose row, kept apart from the row's strings.
struct PrefixMatcher: Sendable {
    let network: UInt128
    let mask: UInt128
    let length: Int
    let scope: AddressScope
    let globallyReachable: RegistryFlag
    let isTerminated: Bool
    /// The row's pre-encoded JSON, and its `{"name","prefix","rfc"}` summary, in `RegistryIndex.bytes`.
    let json: Range<Int>
    let summary: Range<Int>

    func contains(_ value: UInt128) -> Bool { value & mask == network }
    func contains(network other: UInt128, length otherLength: Int) -> Bool { otherLength >= length && contains(other) }
}

/// What a lookup needs of an address-space block.
struct RangeMatcher: Sendable {
    let family: IPAddress.Family
    let first: UInt128
    let last: UInt128
    let prefixLength: Int
    let variableMulticastScope: Bool
    let scope: AddressScope?
    let json: Range<Int>
    /// The block's name as a JSON string, for single-address groups (`"mDNS"`); empty otherwise.
    let groupName: Range<Int>

    func contains(_ address: IPAddress) -> Bool {
        guard address.family == family else { return false }
        let value = variableMulticastScope ? address.value & ~MulticastInfo.scopeNibbleMask : address.value
        return value >= first && value <= last
    }

    func contains(_ prefix: IPPrefix) -> Bool {
        prefix.family == family && !variableMulticastScope
            && prefix.network.value >= first && prefix.lastAddress.value <= last
    }
}

/// The registry tables as flat, immutable, never-freed buffers. Lookups and JSON output read
/// them without reference counting, so batch workers on several cores never contend on the
/// shared tables' reference counts (which cost more than the lookups themselves).
enum RegistryIndex {
    nonisolated(unsafe) static let ipv4 = build(SpecialPurposeRegistry.ipv4Entries)
    nonisolated(unsafe) static let ipv6 = build(SpecialPurposeRegistry.ipv6Entries)
    nonisolated(unsafe) static let space = buildSpace(SpecialPurposeRegistry.addressSpaceEntries)
    /// Row numbers of `space` per family, so a lookup scans only its own family's blocks.
    nonisolated(unsafe) static let ipv4SpaceRows = freeze(space.indices.filter { space[$0].family == .v4 })
    nonisolated(unsafe) static let ipv6SpaceRows = freeze(space.indices.filter { space[$0].family == .v6 })
    nonisolated(unsafe) static let bytes: UnsafeBufferPointer<UInt8> = freeze(encodedBytes)

    static func matchers(for family: IPAddress.Family) -> UnsafeBufferPointer<PrefixMatcher> {
        family == .v4 ? ipv4 : ipv6
    }

    static func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }

    /// Every pre-encoded fragment, in the order `build` and `buildSpace` hand out ranges.
    private static let encodedBytes: [UInt8] = {
        var all: [UInt8] = []
        for entry in SpecialPurposeRegistry.ipv4Entries + SpecialPurposeRegistry.ipv6Entries {
            all += entry.json
            all += entry.summaryJSON
        }
        for block in SpecialPurposeRegistry.addressSpaceEntries {
            all += block.json
            all += block.isSingleAddress ? AddressJSON.encodeString(block.name) : []
        }
        return all
    }()

    private static func offset(of entries: [SpecialPurposeEntry]) -> Int {
        let ipv4Bytes = SpecialPurposeRegistry.ipv4Entries.reduce(0) { $0 + $1.json.count + $1.summaryJSON.count }
        return entries.first?.prefix.family == .v6 ? ipv4Bytes : 0
    }

    private static func build(_ entries: [SpecialPurposeEntry]) -> UnsafeBufferPointer<PrefixMatcher> {
        var position = offset(of: entries)
        let matchers = entries.map { entry in
            let json = position..<(position + entry.json.count)
            let summary = json.upperBound..<(json.upperBound + entry.summaryJSON.count)
            position = summary.upperBound
            return PrefixMatcher(
                network: entry.prefix.network.value, mask: IPPrefix.mask(entry.prefix.length, entry.prefix.family),
                length: entry.prefix.length, scope: entry.scope, globallyReachable: entry.globallyReachable,
                isTerminated: entry.isTerminated, json: json, summary: summary)
        }
        return freeze(matchers)
    }

    private static func buildSpace(_ blocks: [AddressSpaceEntry]) -> UnsafeBufferPointer<RangeMatcher> {
        var position = (SpecialPurposeRegistry.ipv4Entries + SpecialPurposeRegistry.ipv6Entries)
            .reduce(0) { $0 + $1.json.count + $1.summaryJSON.count }
        let matchers = blocks.map { block in
            let json = position..<(position + block.json.count)
            let nameCount = block.isSingleAddress ? AddressJSON.encodeString(block.name).count : 0
            let name = json.upperBound..<(json.upperBound + nameCount)
            position = name.upperBound
            return RangeMatcher(family: block.family, first: block.first, last: block.last,
                                prefixLength: block.prefixLength ?? 0, variableMulticastScope: block.variableMulticastScope,
                                scope: block.scope, json: json, groupName: name)
        }
        return freeze(matchers)
    }

    private static func freeze<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let storage = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
        _ = storage.initialize(from: array)
        return UnsafeBufferPointer(storage)
    }
}
