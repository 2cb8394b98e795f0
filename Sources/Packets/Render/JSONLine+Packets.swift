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

    /// `2001:db8::/64` as plain text.
    mutating func text(prefix address: IPAddress, length: UInt8) {
        AddressFormatter.withText(address, mixedNotation: false) { text(bytes: $0) }
        textByte(UInt8(ascii: "/"))
        textInt(length)
    }

    /// `"2001:db8::/64"`, formatted on the stack. Prefixes are all hex (`64:ff9b::/96`, never
    /// `64:ff9b::0.0.0.0/96`), as registries write them.
    mutating func string(prefix address: IPAddress, length: UInt8) {
        AddressFormatter.withText(address, mixedNotation: false) { text in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count + 4) { buffer in
                _ = buffer.initialize(from: text)
                var count = text.count
                buffer[count] = UInt8(ascii: "/")
                count += 1
                if length >= 100 { buffer[count] = UInt8(ascii: "0") + length / 100; count += 1 }
                if length >= 10 { buffer[count] = UInt8(ascii: "0") + length / 10 % 10; count += 1 }
                buffer[count] = UInt8(ascii: "0") + length % 10
                unescapedString(UnsafeBufferPointer(start: buffer.baseAddress, count: count + 1))
            }
        }
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

/// `"key":address` in one call, as `JSONLine.field` does for plain values.
extension JSONLine {
    mutating func field(_ name: StaticString, _ address: IPAddress) { key(name); string(address) }
    mutating func field(_ name: StaticString, _ mac: MACAddress) { key(name); string(mac) }
    mutating func field(_ name: StaticString, _ address: IPAddress?) { key(name); optionalString(address) }
    mutating func field(_ name: StaticString, _ mac: MACAddress?) { key(name); optionalString(mac) }
    mutating func field(_ name: StaticString, _ address: LinkAddress?) { key(name); optionalString(address) }
    mutating func field(_ name: StaticString, _ address: NetworkAddress?) { key(name); optionalString(address) }
    mutating func field(_ name: StaticString, prefix address: IPAddress, length: UInt8) { key(name); string(prefix: address, length: length) }
}

/// `2001:db8::/64` as a String, for the `-v` lines.
func prefixText(_ address: IPAddress, _ length: UInt8) -> String {
    AddressFormatter.withText(address, mixedNotation: false) { String(decoding: $0, as: UTF8.self) } + "/\(length)"
}
