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
/// A class so that classification results share rows instead of copying their strings, and its
/// JSON is encoded once, when the table is first used, not once per classified address.
public final class SpecialPurposeEntry: Sendable {
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
    /// The full row as a JSON object, and the short `{"name","prefix","rfc"}` form.
    let json: [UInt8]
    let summaryJSON: [UInt8]

    init(prefix: IPPrefix, name: String, rfc: String, allocationDate: String, terminationDate: String?,
         source: RegistryFlag, destination: RegistryFlag, forwardable: RegistryFlag, globallyReachable: RegistryFlag,
         reservedByProtocol: RegistryFlag, footnotes: [String], scope: AddressScope) {
        self.prefix = prefix
        self.name = name
        self.rfc = rfc
        self.allocationDate = allocationDate
        self.terminationDate = terminationDate
        self.source = source
        self.destination = destination
        self.forwardable = forwardable
        self.globallyReachable = globallyReachable
        self.reservedByProtocol = reservedByProtocol
        self.footnotes = footnotes
        self.scope = scope
        let row = (prefix: prefix, name: name, rfc: rfc, allocationDate: allocationDate, terminationDate: terminationDate,
                   flags: [source, destination, forwardable, globallyReachable, reservedByProtocol], footnotes: footnotes)
        json = AddressJSON.encodeEntry(row, table: Self.registryName(prefix.family))
        summaryJSON = AddressJSON.encodeSummary(name: name, prefix: prefix, rfc: rfc)
    }

    public var isTerminated: Bool { terminationDate != nil }

    public var registryName: String { Self.registryName(prefix.family) }

    static func registryName(_ family: IPAddress.Family) -> String {
        family == .v4 ? "IANA IPv4 Special-Purpose Address Registry" : "IANA IPv6 Special-Purpose Address Registry"
    }
}

/// A block from the other IANA address-space registries: IPv4 multicast blocks and groups,
/// the IPv6 address-space partition, and IPv6 multicast groups. Some IPv4 multicast blocks
/// are ranges that are not CIDR-aligned, so a block is a first/last pair.
public final class AddressSpaceEntry: Sendable {
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
    let json: [UInt8]

    init(family: IPAddress.Family, first: UInt128, last: UInt128, prefixLength: Int?, block: String, name: String,
         registry: String, reference: String, note: String, variableMulticastScope: Bool, scope: AddressScope?) {
        self.family = family
        self.first = first
        self.last = last
        self.prefixLength = prefixLength
        self.block = block
        self.name = name
        self.registry = registry
        self.reference = reference
        self.note = note
        self.variableMulticastScope = variableMulticastScope
        self.scope = scope
        json = AddressJSON.encodeBlock(table: registry, block: block, name: name, reference: reference, note: note)
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

}
