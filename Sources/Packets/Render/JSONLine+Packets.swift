import Addresses
import Rendering

/// Addresses written straight into the output buffer, without a String each.
extension JSONLine {
    mutating func text(_ address: IPAddress) {
        AddressFormatter.withText(address) { text(bytes: $0) }
    }

    mutating func text(_ mac: MACAddress) {
        mac.withText { text(bytes: $0) }
    }

    mutating func string(_ address: IPAddress) {
        AddressFormatter.withText(address) { unescapedString($0) }
    }

    mutating func string(_ mac: MACAddress) {
        mac.withText { unescapedString($0) }
    }

    mutating func optionalString(_ mac: MACAddress?) {
        if let mac { string(mac) } else { null() }
    }

    mutating func optionalString(_ address: IPAddress?) {
        if let address { string(address) } else { null() }
    }

    mutating func text(_ address: LinkAddress) {
        switch address {
        case .mac(let mac): text(mac)
        case .bytes: text(address.description)
        }
    }

    mutating func text(_ address: NetworkAddress) {
        switch address {
        case .ipv4(let ip), .ipv6(let ip): text(ip)
        case .bytes: text(address.description)
        }
    }

    mutating func optionalString(_ address: LinkAddress?) {
        switch address {
        case .mac(let mac)?: string(mac)
        case .bytes?: string(address!.description)
        case nil: null()
        }
    }

    mutating func optionalString(_ address: NetworkAddress?) {
        switch address {
        case .ipv4(let ip)?, .ipv6(let ip)?: string(ip)
        case .bytes?: string(address!.description)
        case nil: null()
        }
    }
}
