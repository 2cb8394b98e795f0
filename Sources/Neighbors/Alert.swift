import Addresses
import Packets

/// Something on the wire worth a person's attention, as arpwatch and ndpmon report.
public struct Alert: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// An address seen for the first time.
        case newStation
        /// An address now answered by another MAC; `flipFlop` when it went back to the one before.
        case changedMAC(flipFlop: Bool)
        /// Two stations claiming one address: a DAD conflict or an answered ARP probe.
        case duplicateAddress
        case gratuitousARP
        /// A router advertisement from a router not named with `--router`.
        case unexpectedRouter
        /// The table reached --table-limit: the least recently seen entries are evicted from here
        /// on (`address` and `mac` are the first one dropped). Said once per run.
        case tableFull(limit: Int)

        /// The JSON `alert` value.
        public var name: StaticString {
            switch self {
            case .newStation: "new-station"
            case .changedMAC(let flipFlop): flipFlop ? "flip-flop" : "changed-mac"
            case .duplicateAddress: "duplicate-address"
            case .gratuitousARP: "gratuitous-arp"
            case .unexpectedRouter: "unexpected-router-advertisement"
            case .tableFull: "table-full"
            }
        }
    }

    public var kind: Kind
    public var time: Timestamp
    public var address: IPAddress
    public var mac: MACAddress
    /// The MAC the address had before (changed MAC), or the station probing for it (duplicate).
    public var otherMAC: MACAddress?

    public var message: String {
        switch kind {
        case .newStation:
            "new station \(address) at \(mac)"
        case .changedMAC(let flipFlop):
            "changed MAC: \(address) moved from \(otherMAC.map(String.init(describing:)) ?? "?") to \(mac)"
                + (flipFlop ? " (flip-flop: back to the MAC it had before)" : "")
        case .duplicateAddress:
            "duplicate address: \(address) is claimed by \(mac) while \(otherMAC.map(String.init(describing:)) ?? "?") probes for it"
        case .gratuitousARP:
            "gratuitous ARP: \(mac) announces \(address)"
        case .unexpectedRouter:
            "unexpected router advertisement from \(address) (\(mac)); name expected routers with --router"
        case .tableFull(let limit):
            "neighbour table full at \(limit) addresses (--table-limit): the least recently seen are dropped from now on, "
                + "starting with \(address) (\(mac)); a flood of spoofed senders looks like this"
        }
    }
}

/// A router `--router` names: by address or by MAC.
public enum RouterIdentity: Equatable, Sendable {
    case address(IPAddress)
    case mac(MACAddress)

    public init?(_ text: String) {
        if let mac = MACAddress(text) {
            self = .mac(mac)
        } else if let address = IPAddress(text) {
            self = .address(address)
        } else {
            return nil
        }
    }
}
