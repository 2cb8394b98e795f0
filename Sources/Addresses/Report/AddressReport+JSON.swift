import Rendering

/// `ip-classify --json`: one object per input line.
public enum AddressJSON {
    public static func appendInvalid(input: UnsafeBufferPointer<UInt8>, error: AddressParseError, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.key("valid"); json.bool(false)
        json.key("error"); json.string(error.description)
        json.endObject()
    }

    public static func appendValid(input: UnsafeBufferPointer<UInt8>, _ c: AddressClassification, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.key("valid"); json.bool(true)
        json.key("version"); json.int(c.address.family.rawValue)
        json.key("address"); appendAddress(c.address, to: &json)
        if let zone = c.input.zone { json.key("zone"); json.string(zone) }
        json.key("scope"); json.string(c.scope.rawValue)
        json.key("global"); json.bool(c.isGlobal)
        json.key("registry")
        let matchers = RegistryIndex.matchers(for: c.address.family)
        if let row = c.specialRows.first {
            json.raw(RegistryIndex.slice(matchers[row].summary))
        } else {
            json.null()
        }
        json.key("registry_updated"); json.string(SpecialPurposeRegistry.lastUpdated(for: c.address.family))

        json.key("entries"); json.beginArray()
        for row in c.specialRows { json.raw(RegistryIndex.slice(matchers[row].json)) }
        for row in c.addressSpaceRows { json.raw(RegistryIndex.slice(RegistryIndex.space[row].json)) }
        json.endArray()

        if !c.embedded.isEmpty {
            json.key("embedded"); json.beginArray()
            for inner in c.embedded {
                json.beginObject()
                json.key("role"); json.string(inner.role.rawValue)
                json.key("address"); appendAddress(inner.address, to: &json)
                json.key("scope"); json.string(inner.scope.rawValue)
                json.key("global"); json.bool(inner.isGlobal)
                json.endObject()
            }
            json.endArray()
        }
        if let teredo = c.teredo {
            json.key("teredo"); json.beginObject()
            json.key("server"); appendAddress(teredo.server, to: &json)
            json.key("client"); appendAddress(teredo.client, to: &json)
            json.key("port"); json.int(teredo.port)
            json.key("flags"); json.string("0x" + String(teredo.flags, radix: 16))
            json.key("cone"); json.bool(teredo.cone)
            json.endObject()
        }
        if let multicast = c.multicast { appendMulticast(multicast, c, to: &json) }
        if let group = c.solicitedNodeGroup { json.key("solicited_node_group"); appendAddress(group, to: &json) }
        if let mac = c.eui64MAC { json.key("eui64_mac"); json.string(AddressFormatter.macString(mac)) }
        if let prefix = c.prefix { appendNetwork(prefix, contained: c.containedEntries, to: &json) }
        json.endObject()
    }

    private static func appendMulticast(_ m: MulticastInfo, _ c: AddressClassification, to json: inout JSONLine) {
        json.key("multicast"); json.beginObject()
        json.key("scope"); json.string(m.scope.name)
        if case .ipv6(let id) = m.scope {
            json.key("scope_id"); json.int(id)
            json.key("flags"); json.beginObject()
            json.key("embedded_rp"); json.bool(m.embeddedRP)
            json.key("prefix_based"); json.bool(m.prefixBased)
            json.key("transient"); json.bool(m.transient)
            json.endObject()
        }
        json.key("group")
        if let row = c.addressSpaceRows.first, !RegistryIndex.space[row].groupName.isEmpty {
            json.raw(RegistryIndex.slice(RegistryIndex.space[row].groupName))
        } else {
            json.null()
        }
        json.key("mac"); json.string(AddressFormatter.macString(m.mac))
        if let low = m.solicitedNodeLow24 {
            json.key("solicited_low_24_bits"); json.string(Self.low24Text(low))
        }
        json.endObject()
    }

    private static func appendNetwork(_ prefix: IPPrefix, contained: [SpecialPurposeEntry], to json: inout JSONLine) {
        json.key("network"); json.beginObject()
        json.key("prefix"); appendPrefix(prefix, to: &json)
        json.key("network"); appendAddress(prefix.network, to: &json)
        json.key("prefix_length"); json.int(prefix.length)
        json.key("netmask"); appendAddress(prefix.netmask, to: &json)
        json.key("wildcard"); appendAddress(prefix.wildcard, to: &json)
        json.key("broadcast")
        if let broadcast = prefix.broadcast { appendAddress(broadcast, to: &json) } else { json.null() }
        let usable = prefix.usableRange
        json.key("first_host"); appendAddress(usable.first, to: &json)
        json.key("last_host"); appendAddress(usable.last, to: &json)
        json.key("last_address"); appendAddress(prefix.lastAddress, to: &json)
        json.key("addresses"); json.string(prefix.addressCount)
        json.key("usable_hosts"); json.string(prefix.usableHostCount)
        json.key("contains"); json.beginArray()
        for entry in contained {
            json.beginObject()
            json.key("prefix"); appendPrefix(entry.prefix, to: &json)
            json.key("name"); json.string(entry.name)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    typealias EntryRow = (prefix: IPPrefix, name: String, rfc: String, allocationDate: String, terminationDate: String?,
                          flags: [RegistryFlag], footnotes: [String])

    /// A special-purpose row with every column; encoded once per row (see `SpecialPurposeEntry`).
    static func encodeEntry(_ row: EntryRow, table: String) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.key("table"); json.string(table)
        json.key("prefix"); appendPrefix(row.prefix, to: &json)
        json.key("name"); json.string(row.name)
        json.key("rfc"); json.string(row.rfc)
        json.key("allocation_date"); json.string(row.allocationDate)
        json.key("termination_date"); json.optionalString(row.terminationDate)
        json.key("source"); json.string(row.flags[0].rawValue)
        json.key("destination"); json.string(row.flags[1].rawValue)
        json.key("forwardable"); json.string(row.flags[2].rawValue)
        json.key("globally_reachable"); json.string(row.flags[3].rawValue)
        json.key("reserved_by_protocol"); json.string(row.flags[4].rawValue)
        if !row.footnotes.isEmpty {
            json.key("footnotes"); json.beginArray()
            for note in row.footnotes { json.string(note) }
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }

    static func encodeSummary(name: String, prefix: IPPrefix, rfc: String) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.key("name"); json.string(name)
        json.key("prefix"); appendPrefix(prefix, to: &json)
        json.key("rfc"); json.string(rfc)
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
        json.key("table"); json.string(table)
        json.key("prefix"); json.string(block)
        json.key("name"); json.string(name)
        json.key("rfc"); json.string(reference)
        if !note.isEmpty { json.key("note"); json.string(note) }
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
