/// Everything nettool knows about one address or prefix.
public struct AddressClassification: Sendable {
    /// Why `isGlobal` has the value it has.
    public enum GlobalBasis: Sendable {
        /// The deciding special-purpose row (an index into the address family's table).
        case registry(row: Int)
        case embedded(row: Int, EmbeddedAddress)
        case multicastScope(MulticastInfo.Scope)
        case ipv4Unicast
        case ipv6GlobalUnicast
        case ipv6Reserved
        /// A prefix holding special-purpose blocks: it is not globally reachable as a whole.
        case mixed
    }

    public let input: AddressInput
    public let scope: AddressScope
    public let isGlobal: Bool
    public let globalBasis: GlobalBasis
    /// Special-purpose registry rows that contain the address (or the whole prefix).
    public let specialRows: RowSet
    /// Rows of the other address-space registries that contain it.
    public let addressSpaceRows: RowSet
    /// For a prefix: special-purpose blocks that lie inside it.
    public let containedRows: RowSet
    public let embedded: [EmbeddedAddress]
    public let teredo: TeredoFields?
    public let multicast: MulticastInfo?

    public var address: IPAddress { input.address }
    public var prefix: IPPrefix? { input.prefix }

    private var specialTable: [SpecialPurposeEntry] { SpecialPurposeRegistry.entries(for: address.family) }

    /// Matching special-purpose rows, most specific first.
    public var specialEntries: [SpecialPurposeEntry] { specialRows.map { specialTable[$0] } }
    /// Matching rows of the other address-space registries, most specific first.
    public var addressSpaceEntries: [AddressSpaceEntry] { addressSpaceRows.map { SpecialPurposeRegistry.addressSpaceEntries[$0] } }
    /// Blocks inside a prefix, widest first.
    public var containedEntries: [SpecialPurposeEntry] { containedRows.map { specialTable[$0] }.reversed() }

    /// The row JSON calls `registry`: the most specific special-purpose row, if any.
    public var registryEntry: SpecialPurposeEntry? { specialRows.first.map { specialTable[$0] } }

    /// A named well-known group or address (`ff02::1`, `224.0.0.251`), if it is one.
    public var wellKnownName: String? {
        guard let index = addressSpaceRows.first else { return nil }
        let block = SpecialPurposeRegistry.addressSpaceEntries[index]
        return block.isSingleAddress ? block.name : nil
    }

    /// The special-purpose row that decided `isGlobal`, if one did.
    public var globalRow: SpecialPurposeEntry? {
        switch globalBasis {
        case .registry(let row), .embedded(let row, _): return specialTable[row]
        default: return nil
        }
    }

    /// For IPv6 unicast: the solicited-node group that Neighbor Solicitations for it go to (RFC 4291 2.7.1).
    public var solicitedNodeGroup: IPAddress? {
        // An IPv4-mapped address (::ffff:0:0/96) names an IPv4 peer; no interface holds it, so nobody solicits it.
        let isMapped = address.value >> 32 == 0xFFFF
        guard address.family == .v6, input.prefixLength == nil, !address.isMulticast, address.value > 1, !isMapped else { return nil }
        return .v6(0xff02_0000_0000_0000_0000_0001_ff00_0000 | (address.value & 0xFF_FFFF))
    }

    /// For IPv6 unicast with a modified EUI-64 interface identifier (`…ff:fe…`), the MAC it came from.
    public var eui64MAC: [UInt8]? {
        guard address.family == .v6, input.prefixLength == nil, !address.isMulticast else { return nil }
        let iid = UInt64(truncatingIfNeeded: address.value)
        guard (iid >> 24) & 0xFFFF == 0xFFFE else { return nil }
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: iid >> UInt64(56 - 8 * $0)) }
        return [bytes[0] ^ 0x02, bytes[1], bytes[2], bytes[5], bytes[6], bytes[7]]
    }
}

public enum AddressClassifier {
    public static func classify(_ input: AddressInput) -> AddressClassification {
        let address = input.address
        let prefix = input.prefix
        let length = prefix?.length ?? address.family.bitWidth
        let matchers = RegistryIndex.matchers(for: address.family)
        var special = RowSet(), contained = RowSet(), space = RowSet()
        for index in matchers.indices {
            let matcher = matchers[index]
            if matcher.contains(network: address.value, length: length) {
                special.insert(index)
            } else if let prefix, matcher.length > prefix.length, prefix.contains(IPAddress(family: address.family, value: matcher.network)) {
                contained.insert(index)
            }
        }
        let ranges = RegistryIndex.space
        for index in address.family == .v4 ? RegistryIndex.ipv4SpaceRows : RegistryIndex.ipv6SpaceRows {
            let matches = if let prefix { ranges[index].contains(prefix) } else { ranges[index].contains(address) }
            if matches { space.insert(index) }
        }

        // A prefix that holds special-purpose blocks and lies in none is no one kind of space.
        let isMixed = special.isEmpty && !contained.isEmpty
        let scope = isMixed ? .mixed : Self.scope(address: address, special: special, space: space)
        let isSingle = prefix == nil || prefix!.hostBits == 0
        let embedded: [EmbeddedAddress] = isSingle
            ? EmbeddedExtraction.extract(address).map { role, inner in
                let answer = classify(AddressInput(address: inner))
                return EmbeddedAddress(role: role, address: inner, scope: answer.scope, isGlobal: answer.isGlobal)
            }
            : []
        let multicast: MulticastInfo? = address.isMulticast && (prefix == nil || prefix!.length >= (address.family == .v4 ? 4 : 8))
            ? MulticastInfo(address) : nil
        let teredo = isSingle && embedded.first?.role == .teredoServer ? TeredoFields(address) : nil
        let basis = contained.isEmpty
            ? Self.globalBasis(address: address, special: special, embedded: embedded, multicast: multicast) : .mixed

        return AddressClassification(
            input: input, scope: scope, isGlobal: Self.isGlobal(basis, family: address.family), globalBasis: basis,
            specialRows: special, addressSpaceRows: space, containedRows: contained,
            embedded: embedded, teredo: teredo, multicast: multicast)
    }

    private static func scope(address: IPAddress, special: RowSet, space: RowSet) -> AddressScope {
        // The most specific block that names a scope wins, across both tables.
        let fromSpecial = special.first.map { RegistryIndex.matchers(for: address.family)[$0] }
        let fromSpace = space.lazy.map { RegistryIndex.space[$0] }.first { $0.scope != nil }
        switch (fromSpecial, fromSpace) {
        case let (entry?, block?):
            return block.prefixLength > entry.length ? block.scope! : entry.scope
        case let (entry?, nil): return entry.scope
        case let (nil, block?): return block.scope!
        case (nil, nil):
            // Only prefixes wider than every block get here (0.0.0.0/0, ::/0).
            return address.family == .v4 ? .public : .reserved
        }
    }

    private static func globalBasis(address: IPAddress, special: RowSet, embedded: [EmbeddedAddress],
                                    multicast: MulticastInfo?) -> AddressClassification.GlobalBasis {
        let matchers = RegistryIndex.matchers(for: address.family)
        if let row = special.first(where: { !matchers[$0].isTerminated }) {
            if matchers[row].globallyReachable == .notApplicable,
               let inner = embedded.first(where: { $0.role == .sixToFour || $0.role == .teredoClient }) {
                return .embedded(row: row, inner)
            }
            return .registry(row: row)
        }
        if let multicast { return .multicastScope(multicast.scope) }
        if address.family == .v4 { return .ipv4Unicast }
        return address.value >> 125 == 0b001 ? .ipv6GlobalUnicast : .ipv6Reserved
    }

    private static func isGlobal(_ basis: AddressClassification.GlobalBasis, family: IPAddress.Family) -> Bool {
        switch basis {
        case .registry(let row): return RegistryIndex.matchers(for: family)[row].globallyReachable == .yes
        case .embedded(_, let inner): return inner.isGlobal
        case .multicastScope(let scope): return scope.isGlobal
        case .ipv4Unicast, .ipv6GlobalUnicast: return true
        case .ipv6Reserved, .mixed: return false
        }
    }
}
