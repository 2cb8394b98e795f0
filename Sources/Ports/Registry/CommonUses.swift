/// De-facto uses of ports that the IANA registry names differently or not at all.
/// Shown as "commonly used by", never as the assignment; each fact names where it comes from.
/// The table is generated from Data/common-port-uses.csv.
public struct CommonUse: Sendable, Equatable {
    public let port: UInt16
    /// nil when the software uses both TCP and UDP, or the protocol does not matter.
    public let transport: String?
    public let use: String
    public let source: String
}

public enum CommonUses {
    public static func uses(forPort port: UInt16) -> [CommonUse] { table.filter { $0.port == port } }
}
