import Addresses
import Rendering

/// An ARP, RARP or InARP packet (RFC 826, RFC 903, RFC 2390) of any hardware and protocol type.
/// Ethernet + IPv4 addresses are decoded; other sizes are kept as bytes.
public struct ARPPacket: Equatable, Sendable {
    public var hardwareType: UInt16
    public var protocolType: UInt16
    public var hardwareLength: UInt8
    public var protocolLength: UInt8
    public var operation: Operation
    public var senderHardware: LinkAddress?
    public var senderProtocol: NetworkAddress?
    public var targetHardware: LinkAddress?
    public var targetProtocol: NetworkAddress?
    /// Carried by RARP's EtherType 0x8035 (the operation says so too).
    public var viaRARPEtherType: Bool

    public enum Operation: Equatable, Sendable {
        case request, reply, rarpRequest, rarpReply, drarpRequest, drarpReply, drarpError
        case inARPRequest, inARPReply, nak
        case other(UInt16)

        public init(code: UInt16) {
            switch code {
            case 1: self = .request
            case 2: self = .reply
            case 3: self = .rarpRequest
            case 4: self = .rarpReply
            case 5: self = .drarpRequest
            case 6: self = .drarpReply
            case 7: self = .drarpError
            case 8: self = .inARPRequest
            case 9: self = .inARPReply
            case 10: self = .nak
            default: self = .other(code)
            }
        }

        /// The JSON `op` value.
        public var name: String {
            if let known = knownName { return known.description }
            if case .other(let code) = self { return "op-\(code)" }
            return ""
        }

        /// The name of a defined operation, without building a String.
        public var knownName: StaticString? {
            switch self {
            case .request: "request"
            case .reply: "reply"
            case .rarpRequest: "rarp-request"
            case .rarpReply: "rarp-reply"
            case .drarpRequest: "drarp-request"
            case .drarpReply: "drarp-reply"
            case .drarpError: "drarp-error"
            case .inARPRequest: "inarp-request"
            case .inARPReply: "inarp-reply"
            case .nak: "arp-nak"
            case .other: nil
            }
        }

        public var isRARP: Bool {
            switch self {
            case .rarpRequest, .rarpReply, .drarpRequest, .drarpReply, .drarpError: true
            default: false
            }
        }
    }

    /// Ethernet (hardware type 1, 6 bytes) with IPv4 (0x0800, 4 bytes): the case shown in full.
    public var isEthernetIPv4: Bool {
        hardwareType == 1 && protocolType == EtherType.ipv4 && hardwareLength == 6 && protocolLength == 4
    }

    /// RFC 5227 probe: a request asking about an address with sender IP 0.0.0.0.
    public var isProbe: Bool {
        operation == .request && senderProtocol == .ipv4(.v4(0))
    }

    /// Sender and target protocol address equal: an announcement (request) or a gratuitous
    /// reply, both telling everyone "this address is at my MAC".
    public var isGratuitous: Bool {
        guard operation == .request || operation == .reply, let sender = senderProtocol, !isProbe else { return false }
        return sender == targetProtocol
    }

    /// The one-word label shown in text output.
    public var label: String { knownLabel?.description ?? operation.name }

    /// `label` without building a String, when it is a fixed word.
    public var knownLabel: StaticString? {
        if isProbe { return "probe" }
        if isGratuitous { return operation == .request ? "announcement" : "gratuitous reply" }
        return operation.knownName
    }

    /// Decodes an ARP body into `packet`, field by field, so a failure leaves what was read.
    static func read(from reader: inout PacketReader, into packet: inout ARPPacket) throws(DecodeFailure) {
        packet.hardwareType = try reader.u16("ARP hardware type")
        packet.protocolType = try reader.u16("ARP protocol type")
        packet.hardwareLength = try reader.u8("ARP hardware length")
        packet.protocolLength = try reader.u8("ARP protocol length")
        packet.operation = Operation(code: try reader.u16("ARP operation"))
        guard packet.hardwareLength > 0 else { throw .malformed("hardware address length 0") }
        guard packet.protocolLength > 0 else { throw .malformed("protocol address length 0") }
        packet.senderHardware = try LinkAddress.read(length: packet.hardwareLength, from: &reader, "ARP sender hardware address")
        packet.senderProtocol = try NetworkAddress.read(type: packet.protocolType, length: packet.protocolLength, from: &reader, "ARP sender protocol address")
        packet.targetHardware = try LinkAddress.read(length: packet.hardwareLength, from: &reader, "ARP target hardware address")
        packet.targetProtocol = try NetworkAddress.read(type: packet.protocolType, length: packet.protocolLength, from: &reader, "ARP target protocol address")
    }

    init(viaRARPEtherType: Bool) {
        hardwareType = 0
        protocolType = 0
        hardwareLength = 0
        protocolLength = 0
        operation = .other(0)
        self.viaRARPEtherType = viaRARPEtherType
    }
}

/// A hardware address: a MAC when it is six bytes, else the bytes as they are.
public enum LinkAddress: Hashable, Sendable, CustomStringConvertible {
    case mac(MACAddress)
    case bytes([UInt8])

    static func read(length: UInt8, from reader: inout PacketReader, _ field: StaticString) throws(DecodeFailure) -> LinkAddress {
        length == 6 ? .mac(try reader.mac(field)) : .bytes(try reader.copy(Int(length), field))
    }

    public var mac: MACAddress? {
        if case .mac(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .mac(let mac): mac.description
        case .bytes(let bytes): Hexdump.hexString(bytes).grouped(by: 2, separator: ":")
        }
    }
}

/// A protocol address: IPv4 or IPv6 when type and size say so, else the bytes.
public enum NetworkAddress: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPAddress)
    case ipv6(IPAddress)
    case bytes([UInt8])

    static func read(type: UInt16, length: UInt8, from reader: inout PacketReader, _ field: StaticString) throws(DecodeFailure) -> NetworkAddress {
        switch (type, length) {
        case (EtherType.ipv4, 4): .ipv4(try reader.ipv4(field))
        case (EtherType.ipv6, 16): .ipv6(try reader.ipv6(field))
        default: .bytes(try reader.copy(Int(length), field))
        }
    }

    public var ip: IPAddress? {
        switch self {
        case .ipv4(let address), .ipv6(let address): address
        case .bytes: nil
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let address), .ipv6(let address): address.description
        case .bytes(let bytes): "0x" + Hexdump.hexString(bytes)
        }
    }
}

extension String {
    /// `aabbcc` as `aa:bb:cc`.
    func grouped(by width: Int, separator: Character) -> String {
        var text = ""
        for (index, character) in enumerated() {
            if index > 0 && index % width == 0 { text.append(separator) }
            text.append(character)
        }
        return text
    }
}
