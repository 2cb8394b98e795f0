import Rendering

/// `ip-classify --json`: one object per input line.
public enum AddressJSON {
    public static func appendInvalid(input: UnsafeBufferPointer<UInt8>, error: AddressParseError, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.field("valid", false)
        json.field("error", error.description)
        json.endObject()
    }

    public static func appendValid(input: UnsafeBufferPointer<UInt8>, _ c: AddressClassification, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.field("valid", true)
        json.field("version", c.address.family.rawValue)
        json.key("address"); appendAddress(c.address, to: &json)
        if let zone = c.input.zone { json.field("zone", zone) }
        json.field("scope", c.scope.rawValue)
        json.field("global", c.isGlobal)
        json.key("registry")
        let matchers = RegistryIndex.matchers(for: c.address.family)
        if let row = c.specialRows.first {
            json.raw(RegistryIndex.slice(matchers[row].summary))
        } else {
            json.null()
        }
        json.field("registry_updated", SpecialPurposeRegistry.lastUpdated(for: c.address.family))

        json.key("entries"); json.beginArray()
        for row in c.specialRows { json.raw(RegistryIndex.slice(matchers[row].json)) }
        for row in c.addressSpaceRows { json.raw(RegistryIndex.slice(RegistryIndex.space[row].json)) }
        json.endArray()

        if !c.embedded.isEmpty {
            json.objects("embedded", c.embedded) { json, inner in
                json.field("role", inner.role.rawValue)
                json.key("address"); appendAddress(inner.address, to: &json)
                json.field("scope", inner.scope.rawValue)
                json.field("global", inner.isGlobal)
            }
        }
        if let teredo = c.teredo {
            json.key("teredo"); json.beginObject()
            json.key("server"); appendAddress(teredo.server, to: &json)
            json.key("client"); appendAddress(teredo.client, to: &json)
            json.field("port", teredo.port)
            json.field("flags", "0x" + String(teredo.flags, radix: 16))
            json.field("cone", teredo.cone)
            json.endObject()
        }
        if let multicast = c.multicast { appendMulticast(multicast, c, to: &json) }
        if let group = c.solicitedNodeGroup { json.key("solicited_node_group"); appendAddress(group, to: &json) }
        if let mac = c.eui64MAC { json.field("eui64_mac", AddressFormatter.macString(mac)) }
        if let prefix = c.prefix { appendNetwork(prefix, contained: c.containedEntries, to: &json) }
        json.endObject()
    }

    private static func appendMulticast(_ m: MulticastInfo, _ c: AddressClassification, to json: inout JSONLine) {
        json.key("multicast"); json.beginObject()
        json.field("scope", m.scope.name)
        if case .ipv6(let id) = m.scope {
            json.field("scope_id", id)
            json.key("flags"); json.beginObject()
            json.field("embedded_rp", m.embeddedRP)
            json.field("prefix_based", m.prefixBased)
            json.field("transient", m.transient)
            json.endObject()
        }
        json.key("group")
        if let row = c.addressSpaceRows.first, !RegistryIndex.space[row].groupName.isEmpty {
            json.raw(RegistryIndex.slice(RegistryIndex.space[row].groupName))
        } else {
            json.null()
        }
        json.field("mac", AddressFormatter.macString(m.mac))
        if let low = m.solicitedNodeLow24 {
            json.field("solicited_low_24_bits", Self.low24Text(low))
        }
        json.endObject()
    }

    private static func appendNetwork(_ prefix: IPPrefix, contained: [SpecialPurposeEntry], to json: inout JSONLine) {
        json.key("network"); json.beginObject()
        json.key("prefix"); appendPrefix(prefix, to: &json)
        json.key("network"); appendAddress(prefix.network, to: &json)
        json.field("prefix_length", prefix.length)
        json.key("netmask"); appendAddress(prefix.netmask, to: &json)
        json.key("wildcard"); appendAddress(prefix.wildcard, to: &json)
        json.key("broadcast")
        if let broadcast = prefix.broadcast { appendAddress(broadcast, to: &json) } else { json.null() }
        let usable = prefix.usableRange
        json.key("first_host"); appendAddress(usable.first, to: &json)
        json.key("last_host"); appendAddress(usable.last, to: &json)
        json.key("last_address"); appendAddress(prefix.lastAddress, to: &json)
        json.field("addresses", prefix.addressCount)
        json.field("usable_hosts", prefix.usableHostCount)
        json.objects("contains", contained) { json, entry in
            json.key("prefix"); appendPrefix(entry.prefix, to: &json)
            json.field("name", entry.name)
        }
        json.endObject()
    }

    typealias EntryRow = (prefix: IPPrefix, name: String, rfc: String, allocationDate: String, terminationDate: String?,
                          flags: [RegistryFlag], footnotes: [String])

    /// A special-purpose row with every column; encoded once per row (see `SpecialPurposeEntry`).
    static func encodeEntry(_ row: EntryRow, table: String) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.field("table", table)
        json.key("prefix"); appendPrefix(row.prefix, to: &json)
        json.field("name", row.name)
        json.field("rfc", row.rfc)
        json.field("allocation_date", row.allocationDate)
        json.field("termination_date", row.terminationDate)
        json.field("source", row.flags[0].rawValue)
        json.field("destination", row.flags[1].rawValue)
        json.field("forwardable", row.flags[2].rawValue)
        json.field("globally_reachable", row.flags[3].rawValue)
        json.field("reserved_by_protocol", row.flags[4].rawValue)
        if !row.footnotes.isEmpty {
            json.array("footnotes", row.footnotes) { json, note in json.string(note) }
        }
        json.endObject()
        return json.bytes
    }

    static func encodeSummary(name: String, prefix: IPPrefix, rfc: String) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.field("name", name)
        json.key("prefix"); appendPrefix(prefix, to: &json)
        json.field("rfc", rfc)
        json.endObject()
        return json.bytes
    }

    static func encodeString(_ text: String) -> [UInt8] {
        var json = JSONLine()
        json.string(text)
        return json.bytes
    }

    static func encodeBlock(table: String, block: String, name: String, reference: String, note: String) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.field("table", table)
        json.field("prefix", block)
        json.field("name", name)
        json.field("rfc", reference)
        if !note.isEmpty { json.field("note", note) }
        json.endObject()
        return json.bytes
    }

    static func appendAddress(_ address: IPAddress, to json: inout JSONLine) {
        AddressFormatter.withText(address) { json.unescapedString($0) }
    }

    static func appendPrefix(_ prefix: IPPrefix, to json: inout JSONLine) {
        var text = prefix.description
        text.withUTF8 { json.unescapedString($0) }
    }

    /// The 24 bits as six hex digits, e.g. "3a0001".
    static func low24Text(_ low: UInt32) -> String {
        let hex = String(low, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }
}
