import Rendering

/// `ip-classify --json`: one object per input line.
public enum AddressJSON {
    public static func appendInvalid<C: Collection>(input: C, error: AddressParseError, to json: inout JSONLine)
    where C.Element == UInt8 {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.key("valid"); json.bool(false)
        json.key("error"); json.string(error.description)
        json.endObject()
    }

    public static func appendValid<C: Collection>(input: C, _ c: AddressClassification, to json: inout JSONLine)
    where C.Element == UInt8 {
        json.beginObject()
        json.key("input"); json.string(bytes: input)
        json.key("valid"); json.bool(true)
        json.key("version"); json.int(c.address.family.rawValue)
        json.key("address"); appendAddress(c.address, to: &json)
        if let zone = c.input.zone { json.key("zone"); json.string(zone) }
        json.key("scope"); json.string(c.scope.rawValue)
        json.key("global"); json.bool(c.isGlobal)
        json.key("registry")
        if let entry = c.registryEntry {
            json.beginObject()
            json.key("name"); json.string(entry.name)
            json.key("prefix"); appendPrefix(entry.prefix, to: &json)
            json.key("rfc"); json.string(entry.rfc)
            json.endObject()
        } else {
            json.null()
        }
        json.key("registry_updated"); json.string(SpecialPurposeRegistry.lastUpdated(for: c.address.family))

        json.key("entries"); json.beginArray()
        for entry in c.specialEntries { appendEntry(entry, to: &json) }
        for block in c.addressSpaceEntries { appendBlock(block, to: &json) }
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
        json.key("group"); json.optionalString(c.wellKnownName)
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

    private static func appendEntry(_ entry: SpecialPurposeEntry, to json: inout JSONLine) {
        json.beginObject()
        json.key("table"); json.string(entry.registryName)
        json.key("prefix"); appendPrefix(entry.prefix, to: &json)
        json.key("name"); json.string(entry.name)
        json.key("rfc"); json.string(entry.rfc)
        json.key("allocation_date"); json.string(entry.allocationDate)
        json.key("termination_date"); json.optionalString(entry.terminationDate)
        json.key("source"); json.string(entry.source.rawValue)
        json.key("destination"); json.string(entry.destination.rawValue)
        json.key("forwardable"); json.string(entry.forwardable.rawValue)
        json.key("globally_reachable"); json.string(entry.globallyReachable.rawValue)
        json.key("reserved_by_protocol"); json.string(entry.reservedByProtocol.rawValue)
        if !entry.footnotes.isEmpty {
            json.key("footnotes"); json.beginArray()
            for note in entry.footnotes { json.string(note) }
            json.endArray()
        }
        json.endObject()
    }

    private static func appendBlock(_ block: AddressSpaceEntry, to json: inout JSONLine) {
        json.beginObject()
        json.key("table"); json.string(block.registry)
        json.key("prefix"); json.string(block.block)
        json.key("name"); json.string(block.name)
        json.key("rfc"); json.string(block.reference)
        if !block.note.isEmpty { json.key("note"); json.string(block.note) }
        json.endObject()
    }

    static func appendAddress(_ address: IPAddress, to json: inout JSONLine) {
        json.plainString { AddressFormatter.append(address, to: &$0) }
    }

    static func appendPrefix(_ prefix: IPPrefix, to json: inout JSONLine) {
        json.plainString { out in
            AddressFormatter.append(prefix.network, to: &out, mixedNotation: false)
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: Array(String(prefix.length).utf8))
        }
    }

    /// The 24 bits as six hex digits, e.g. "3a0001".
    static func low24Text(_ low: UInt32) -> String {
        let hex = String(low, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }
}
