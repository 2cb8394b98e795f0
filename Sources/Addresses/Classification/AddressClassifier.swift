/// Everything nettool knows about one address or prefix.
public struct AddressClassification: Sendable {
    /// Why `isGlobal` has the value it has.
    public enum GlobalBasis: Sendable {
        case registry(SpecialPurposeEntry)
        case embedded(SpecialPurposeEntry, EmbeddedAddress)
        case multicastScope(MulticastInfo.Scope)
        case ipv4Unicast
        case ipv6GlobalUnicast
        case ipv6Reserved
    }

    public let input: AddressInput
    public let scope: AddressScope
    public let isGlobal: Bool
    public let globalBasis: GlobalBasis
    /// Special-purpose registry rows that contain the address (or the whole prefix), most specific first.
    public let specialEntries: [SpecialPurposeEntry]
    /// Rows of the other address-space registries that contain it, most specific first.
    public let addressSpaceEntries: [AddressSpaceEntry]
    /// For a prefix: special-purpose blocks that lie inside it.
    public let containedEntries: [SpecialPurposeEntry]
    public let embedded: [EmbeddedAddress]
    public let teredo: TeredoFields?
    public let multicast: MulticastInfo?

    public var address: IPAddress { input.address }
    public var prefix: IPPrefix? { input.prefix }

    /// The row JSON calls `registry`: the most specific special-purpose row, if any.
    public var registryEntry: SpecialPurposeEntry? { specialEntries.first }

    /// A named well-known group or address (`ff02::1`, `224.0.0.251`), if it is one.
    public var wellKnownName: String? {
        if let first = addressSpaceEntries.first, first.isSingleAddress { return first.name }
        return nil
    }

    /// For IPv6 unicast: the solicited-node group that Neighbor Solicitations for it go to (RFC 4291 2.7.1).
    public var solicitedNodeGroup: IPAddress? {
        guard address.family == .v6, input.prefixLength == nil, !address.isMulticast, address.value > 1 else { return nil }
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
        let special = SpecialPurposeRegistry.entries(for: address.family).filter { entry in
            if let prefix { return entry.prefix.contains(prefix) }
            return entry.prefix.contains(address)
        }
        let space = SpecialPurposeRegistry.addressSpaceEntries.filter { entry in
            if let prefix { return entry.contains(prefix) }
            return entry.contains(address)
        }
        let contained: [SpecialPurposeEntry]
        if let prefix {
            contained = SpecialPurposeRegistry.entries(for: address.family).filter {
                $0.prefix.length > prefix.length && prefix.contains($0.prefix.network)
            }.reversed()
        } else {
            contained = []
        }

        let scope = Self.scope(address: address, special: special, space: space)
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
        let basis = Self.globalBasis(address: address, special: special, embedded: embedded, multicast: multicast)

        return AddressClassification(
            input: input, scope: scope, isGlobal: Self.isGlobal(basis), globalBasis: basis,
            specialEntries: special, addressSpaceEntries: space, containedEntries: contained,
            embedded: embedded, teredo: teredo, multicast: multicast)
    }

    private static func scope(address: IPAddress, special: [SpecialPurposeEntry], space: [AddressSpaceEntry]) -> AddressScope {
        // The most specific block that names a scope wins, across both tables.
        let fromSpecial = special.first
        let fromSpace = space.first { $0.scope != nil }
        switch (fromSpecial, fromSpace) {
        case let (entry?, block?):
            let blockLength = block.prefixLength ?? 0
            return blockLength > entry.prefix.length ? block.scope! : entry.scope
        case let (entry?, nil): return entry.scope
        case let (nil, block?): return block.scope!
        case (nil, nil):
            // Only prefixes wider than every block get here (0.0.0.0/0, ::/0).
            return address.family == .v4 ? .public : .reserved
        }
    }

    private static func globalBasis(address: IPAddress, special: [SpecialPurposeEntry], embedded: [EmbeddedAddress],
                                    multicast: MulticastInfo?) -> AddressClassification.GlobalBasis {
        if let entry = special.first(where: { !$0.isTerminated }) {
            if entry.globallyReachable == .notApplicable,
               let inner = embedded.first(where: { $0.role == .sixToFour || $0.role == .teredoClient }) {
                return .embedded(entry, inner)
            }
            return .registry(entry)
        }
        if let multicast { return .multicastScope(multicast.scope) }
        if address.family == .v4 { return .ipv4Unicast }
        return address.value >> 125 == 0b001 ? .ipv6GlobalUnicast : .ipv6Reserved
    }

    private static func isGlobal(_ basis: AddressClassification.GlobalBasis) -> Bool {
        switch basis {
        case .registry(let entry): return entry.globallyReachable == .yes
        case .embedded(_, let inner): return inner.isGlobal
        case .multicastScope(let scope): return scope.isGlobal
        case .ipv4Unicast, .ipv6GlobalUnicast: return true
        case .ipv6Reserved: return false
        }
    }
}
