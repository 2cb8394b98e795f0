/// A cell of the registry's Source / Destination / Forwardable / Globally Reachable /
/// Reserved-by-Protocol columns. `N/A` is a value of its own (Teredo, 6to4), and terminated
/// rows leave the cells empty.
public enum RegistryFlag: String, Sendable {
    case yes = "True"
    case no = "False"
    case notApplicable = "N/A"
    case unset = ""
}

/// One row of an IANA Special-Purpose Address Registry (RFC 6890), with our scope word.
public struct SpecialPurposeEntry: Sendable {
    public let prefix: IPPrefix
    public let name: String
    public let rfc: String
    public let allocationDate: String
    public let terminationDate: String?
    public let source: RegistryFlag
    public let destination: RegistryFlag
    public let forwardable: RegistryFlag
    public let globallyReachable: RegistryFlag
    public let reservedByProtocol: RegistryFlag
    public let footnotes: [String]
    public let scope: AddressScope

    public var isTerminated: Bool { terminationDate != nil }

    public var registryName: String {
        prefix.family == .v4 ? "IANA IPv4 Special-Purpose Address Registry" : "IANA IPv6 Special-Purpose Address Registry"
    }
}

/// A block from the other IANA address-space registries: IPv4 multicast blocks and groups,
/// the IPv6 address-space partition, and IPv6 multicast groups. Some IPv4 multicast blocks
/// are ranges that are not CIDR-aligned, so a block is a first/last pair.
public struct AddressSpaceEntry: Sendable {
    public let family: IPAddress.Family
    public let first: UInt128
    public let last: UInt128
    public let prefixLength: Int?
    public let block: String
    public let name: String
    public let registry: String
    public let reference: String
    public let note: String
    /// `ff0X::db8:0:0/96`-style entries match every multicast scope.
    public let variableMulticastScope: Bool
    public let scope: AddressScope?

    public func contains(_ address: IPAddress) -> Bool {
        guard address.family == family else { return false }
        let value = variableMulticastScope ? address.value & ~MulticastInfo.scopeNibbleMask : address.value
        return value >= first && value <= last
    }

    public func contains(_ prefix: IPPrefix) -> Bool {
        prefix.family == family && !variableMulticastScope
            && prefix.network.value >= first && prefix.lastAddress.value <= last
    }

    /// Single addresses (`ff02::1/128`, `224.0.0.251/32`) are named groups.
    public var isSingleAddress: Bool { first == last }
}

public enum SpecialPurposeRegistry {
    public static func entries(for family: IPAddress.Family) -> [SpecialPurposeEntry] {
        family == .v4 ? ipv4Entries : ipv6Entries
    }

    public static func lastUpdated(for family: IPAddress.Family) -> String {
        family == .v4 ? ipv4LastUpdated : ipv6LastUpdated
    }

    public static var allAddressSpaceEntries: [AddressSpaceEntry] { addressSpaceEntries }
}
