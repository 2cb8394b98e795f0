/// What the link layer said about a frame: who sent it (when the header carries that), VLAN
/// tags, and the EtherType of what follows.
public struct LinkHeader: Equatable, Sendable {
    public var source: MACAddress?
    public var destination: MACAddress?
    /// VLAN IDs outermost first (802.1Q, or 802.1ad QinQ with two).
    public var vlanIDs: [UInt16] = []
    public var etherType: UInt16 = 0
    /// Linux cooked v2 only: the capturing interface's index.
    public var interfaceIndex: UInt32?
    /// Linux cooked only: to us, broadcast, multicast, to another host, or sent by us.
    public var direction: Direction?

    public enum Direction: UInt16, Sendable {
        case toUs = 0, broadcast = 1, multicast = 2, otherHost = 3, outgoing = 4

        public var label: StaticString {
            switch self {
            case .toUs: "In"
            case .broadcast: "B"
            case .multicast: "M"
            case .otherHost: "P"
            case .outgoing: "Out"
            }
        }
    }

    /// Tag stacks deeper than this are not real traffic; stop instead of walking them.
    static let maximumTags = 4

    /// Reads the link header of `linkType` and leaves `reader` at the payload.
    static func read(_ linkType: LinkType, from reader: inout PacketReader) throws(DecodeFailure) -> LinkHeader {
        var header = LinkHeader()
        switch linkType {
        case .ethernet:
            header.destination = try reader.mac("Ethernet destination")
            header.source = try reader.mac("Ethernet source")
            header.etherType = try reader.u16("EtherType")
        case .linuxSLL:
            header.direction = Direction(rawValue: try reader.u16("SLL packet type"))
            let hardwareType = try reader.u16("SLL hardware type")
            let addressLength = try reader.u16("SLL address length")
            var address = try reader.sub(8, "SLL address")
            if hardwareType == 1 && addressLength == 6 { header.source = try address.mac("SLL address") }
            header.etherType = try reader.u16("SLL protocol")
        case .linuxSLL2:
            header.etherType = try reader.u16("SLL2 protocol")
            try reader.skip(2, "SLL2 reserved")
            header.interfaceIndex = try reader.u32("SLL2 interface index")
            let hardwareType = try reader.u16("SLL2 hardware type")
            header.direction = Direction(rawValue: UInt16(try reader.u8("SLL2 packet type")))
            let addressLength = try reader.u8("SLL2 address length")
            var address = try reader.sub(8, "SLL2 address")
            if hardwareType == 1 && addressLength == 6 { header.source = try address.mac("SLL2 address") }
        case .rawIP:
            let version = reader.remaining > 0 ? reader.bytes[reader.offset] >> 4 : 0
            header.etherType = version == 6 ? EtherType.ipv6 : version == 4 ? EtherType.ipv4 : 0
            return header
        case .null(let bigEndian):
            let word = try reader.u32("loopback address family")
            // Written in the capturing host's order: a small value read the other way round is huge.
            let family = bigEndian || word < 0x100 ? word : word.byteSwapped
            // AF_INET is 2 everywhere; AF_INET6 is 10 on Linux, 24, 28 or 30 on the BSDs and macOS.
            header.etherType = family == 2 ? EtherType.ipv4 : [10, 24, 28, 30].contains(family) ? EtherType.ipv6 : 0
            return header
        case .unsupported:
            return header
        }
        while EtherType.isVLANTag(header.etherType) && header.vlanIDs.count < maximumTags {
            header.vlanIDs.append(try reader.u16("VLAN tag") & 0x0fff)
            header.etherType = try reader.u16("EtherType after VLAN tag")
        }
        return header
    }
}
