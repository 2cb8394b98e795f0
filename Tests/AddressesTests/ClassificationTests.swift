import Testing
@testable import Addresses

private func classify(_ text: String) throws -> AddressClassification {
    AddressClassifier.classify(try AddressInput.parse(text))
}

@Suite("Scope and global reachability")
struct ClassificationTests {
    static let ipv4Cases: [(String, AddressScope)] = [
        ("0.0.0.0", .unspecified), ("0.1.2.3", .thisNetwork), ("127.0.0.1", .loopback),
        ("10.1.2.3", .private), ("172.16.0.1", .private), ("192.168.1.1", .private), ("100.64.0.1", .shared),
        ("169.254.1.1", .linkLocal), ("224.0.0.251", .multicast), ("239.1.1.1", .multicast),
        ("255.255.255.255", .broadcast), ("192.0.2.1", .documentation), ("198.51.100.7", .documentation),
        ("203.0.113.9", .documentation), ("233.252.0.1", .documentation), ("198.18.0.1", .benchmarking),
        ("198.19.255.255", .benchmarking), ("192.0.0.9", .protocolAssignment), ("192.0.0.170", .protocolAssignment),
        ("240.0.0.1", .reserved), ("8.8.8.8", .public), ("192.88.99.1", .protocolAssignment),
        ("192.0.0.0/16", .mixed), ("0.0.0.0/0", .mixed),
    ]

    static let ipv6Cases: [(String, AddressScope)] = [
        ("::", .unspecified), ("::1", .loopback), ("fd00:198:18::1", .private), ("fc00::1", .private),
        ("fe80::1", .linkLocal), ("fec0::1", .siteLocal), ("ff02::1", .multicast), ("2001:db8::1", .documentation),
        ("3fff::1", .documentation), ("ff05::db8:0:1", .documentation), ("2001:2::1", .benchmarking),
        ("::ffff:192.0.2.1", .ipv4Mapped), ("64:ff9b::1.2.3.4", .ipv4Translated), ("64:ff9b:1::1", .ipv4Translated),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", .teredo), ("2002:c000:204::1", .sixToFour), ("100::1", .discard),
        ("2001:1::1", .protocolAssignment), ("5f00::1", .protocolAssignment), ("4000::1", .reserved),
        ("::1.2.3.4", .reserved), ("2606:4700::1111", .public),
    ]

    @Test("every scope word, IPv4", arguments: ipv4Cases)
    func ipv4Scopes(address: String, scope: AddressScope) throws {
        #expect(try classify(address).scope == scope)
    }

    @Test("every scope word, IPv6", arguments: ipv6Cases)
    func ipv6Scopes(address: String, scope: AddressScope) throws {
        #expect(try classify(address).scope == scope)
    }

    @Test("the two tables above use every word of the scope vocabulary")
    func vocabularyCovered() {
        let used = Set((Self.ipv4Cases + Self.ipv6Cases).map(\.1))
        #expect(used == Set(AddressScope.allCases))
    }

    @Test("global follows the most specific non-terminated registry row", arguments: [
        ("192.0.0.9", true),          // global inside non-global 192.0.0.0/24
        ("192.0.0.10", true),
        ("192.0.0.8", false),
        ("192.0.0.1", false),
        ("192.88.99.2", false),       // 6a44 relay: not global though its parent is terminated
        ("192.88.99.1", true),        // only the terminated row matches: plain IPv4 unicast
        ("192.31.196.1", true),       // AS112
        ("8.8.8.8", true),
        ("10.0.0.1", false),
        ("127.0.0.1", false),
        ("255.255.255.255", false),
        ("240.0.0.1", false),
        ("2001:1::1", true), ("2001:1::3", true), ("2001:1::4", false), ("2001:3::1", true),
        ("2001:4:112::1", true), ("2001:20::1", true), ("2001:30::1", true), ("2001:10::1", false),
        ("64:ff9b::1.2.3.4", true), ("64:ff9b:1::1", false),
        ("fc00::1", false), ("2606:4700::1", true), ("4000::1", false), ("5f00::1", false),
    ])
    func globalFromRegistry(address: String, global: Bool) throws {
        #expect(try classify(address).isGlobal == global)
    }

    @Test("multicast is global only with global scope", arguments: [
        ("224.0.0.1", false), ("224.0.0.251", false), ("239.255.255.250", false), ("233.252.0.5", false),
        ("224.0.1.1", true), ("232.1.1.1", true),
        ("ff01::1", false), ("ff02::1", false), ("ff03::1", false), ("ff04::1", false), ("ff05::1:3", false),
        ("ff08::1", false), ("ff0e::1", true), ("ff1e::1234", true),
    ])
    func multicastGlobal(address: String, global: Bool) throws {
        let c = try classify(address)
        #expect(c.scope == .multicast || c.scope == .documentation)
        #expect(c.isGlobal == global)
    }

    @Test("6to4 and Teredo take the embedded IPv4 address's answer")
    func notApplicableUsesEmbedded() throws {
        #expect(try classify("2002:0808:0808::1").isGlobal == true)        // 8.8.8.8
        #expect(try classify("2002:c0a8:0101::1").isGlobal == false)       // 192.168.1.1
        // RFC 4380 example client 192.0.2.45 is documentation space, so not global.
        #expect(try classify("2001:0:4136:e378:8000:63bf:3fff:fdd2").isGlobal == false)
        // The same server with client 8.8.8.8 (obfuscated: f7f7:f7f7).
        #expect(try classify("2001:0:4136:e378:8000:63bf:f7f7:f7f7").isGlobal == true)
    }

    @Test("registry rows come most specific first, with every column")
    func registryRows() throws {
        let c = try classify("192.0.0.9")
        #expect(c.specialEntries.map(\.prefix.description) == ["192.0.0.9/32", "192.0.0.0/24"])
        let row = try #require(c.registryEntry)
        #expect(row.name == "Port Control Protocol Anycast")
        #expect(row.rfc == "[RFC7723]")
        #expect(row.allocationDate == "2015-10")
        #expect([row.source, row.destination, row.forwardable, row.globallyReachable, row.reservedByProtocol]
            == [.yes, .yes, .yes, .yes, .no])
        let loopback = try #require(try classify("127.0.0.1").registryEntry)
        #expect(loopback.footnotes.first?.contains("RFC8029") == true)
        let terminated = try classify("2001:10::1").specialEntries.first
        #expect(terminated?.terminationDate == "2014-03")
        #expect(terminated?.globallyReachable == .unset)
    }
}

@Suite("Embedded addresses and multicast")
struct EmbeddedTests {
    @Test("Teredo, RFC 4380 section 4 worked example")
    func teredo() throws {
        let c = try classify("2001:0000:4136:e378:8000:63bf:3fff:fdd2")
        let teredo = try #require(c.teredo)
        #expect(teredo.server.description == "65.54.227.120")
        #expect(teredo.client.description == "192.0.2.45")
        #expect(teredo.port == 40000)
        #expect(teredo.flags == 0x8000)
        #expect(teredo.cone)
        #expect(c.embedded.map(\.role) == [.teredoServer, .teredoClient])
        #expect(c.embedded[1].scope == .documentation)
    }

    @Test("6to4, RFC 3056: 2002:V4ADDR::/48")
    func sixToFour() throws {
        // RFC 3056 section 2 uses 192.1.2.3 -> 2002:c001:0203::/48.
        let c = try classify("2002:c001:0203::1")
        #expect(c.embedded.map(\.role) == [.sixToFour])
        #expect(c.embedded.first?.address.description == "192.1.2.3")
        #expect(c.embedded.first?.scope == .public)
    }

    @Test("IPv4-mapped and NAT64 addresses are classified too")
    func mappedAndNAT64() throws {
        let mapped = try classify("::ffff:10.1.2.3")
        #expect(mapped.embedded.first?.address.description == "10.1.2.3")
        #expect(mapped.embedded.first?.scope == .private)
        let nat64 = try classify("64:ff9b::192.0.2.33")
        #expect(nat64.embedded.first?.role == .nat64)
        #expect(nat64.embedded.first?.scope == .documentation)
    }

    @Test("IPv6 multicast scope, flags and well-known groups")
    func ipv6Multicast() throws {
        let allNodes = try classify("ff02::1")
        #expect(allNodes.wellKnownName == "All Nodes Address (link-local)")
        #expect(allNodes.multicast?.scope.name == "link-local")
        #expect(AddressFormatter.macString(try #require(allNodes.multicast).mac) == "33:33:00:00:00:01")
        let transient = try #require(try classify("ff15::1234").multicast)
        #expect(transient.transient && !transient.prefixBased)
        #expect(transient.scope.name == "site-local")
        let embeddedRP = try #require(try classify("ff7e:140:2001:db8::1").multicast)
        #expect(embeddedRP.embeddedRP && embeddedRP.prefixBased && embeddedRP.transient)
        let solicited = try classify("ff02::1:ff3a:1")
        #expect(solicited.wellKnownName == nil)
        #expect(solicited.addressSpaceEntries.first?.name == "Solicited-Node Address")
        #expect(solicited.multicast?.solicitedNodeLow24 == 0x3a0001)
        #expect(try classify("ff03::1").multicast?.scope.name == "realm-local")
        #expect(try classify("ff06::1").multicast?.scope.name == "unassigned")
        #expect(try classify("ff0f::1").multicast?.scope.name == "reserved")
    }

    @Test("IPv4 multicast names and MAC mapping")
    func ipv4Multicast() throws {
        let mdns = try classify("224.0.0.251")
        #expect(mdns.wellKnownName == "mDNS")
        #expect(AddressFormatter.macString(try #require(mdns.multicast).mac) == "01:00:5e:00:00:fb")
        // The 24th bit is dropped: 225.128.0.1 maps to 01:00:5e:00:00:01.
        #expect(AddressFormatter.macString(try #require(try classify("225.128.0.1").multicast).mac) == "01:00:5e:00:00:01")
        // A range block that is not CIDR-aligned.
        #expect(try classify("224.3.1.1").addressSpaceEntries.first?.name == "AD-HOC Block II")
    }

    @Test("unicast IPv6 shows its solicited-node group and EUI-64 MAC")
    func solicitedNode() throws {
        let c = try classify("fe80::21b:21ff:fe3a:1")
        #expect(c.solicitedNodeGroup?.description == "ff02::1:ff3a:1")
        #expect(c.eui64MAC.map(AddressFormatter.macString) == "00:1b:21:3a:00:01")
        #expect(try classify("::").solicitedNodeGroup == nil)
        #expect(try classify("ff02::1").solicitedNodeGroup == nil)
        // An IPv4-mapped address is never on an interface: no Neighbor Solicitation targets it.
        #expect(try classify("::ffff:10.0.0.1").solicitedNodeGroup == nil)
    }
}

@Suite("Prefix arithmetic")
struct PrefixTests {
    private func prefix(_ text: String) throws -> IPPrefix { try #require(try AddressInput.parse(text).prefix) }

    @Test("IPv4 /0, /24, /31, /32")
    func ipv4Edges() throws {
        let all = try prefix("0.0.0.0/0")
        #expect(all.addressCount == "4294967296")
        #expect(all.usableHostCount == "4294967294")
        #expect(all.netmask.description == "0.0.0.0")
        let lan = try prefix("192.168.1.0/24")
        #expect(lan.broadcast?.description == "192.168.1.255")
        #expect(lan.netmask.description == "255.255.255.0")
        #expect(lan.wildcard.description == "0.0.0.255")
        #expect(lan.usableRange.first.description == "192.168.1.1")
        #expect(lan.usableRange.last.description == "192.168.1.254")
        #expect(lan.usableHostCount == "254")
        let p2p = try prefix("10.0.0.0/31")
        #expect(p2p.usableHostCount == "2")
        #expect(p2p.broadcast == nil)
        #expect(p2p.usableRange.first.description == "10.0.0.0")
        #expect(p2p.usableRange.last.description == "10.0.0.1")
        let host = try prefix("10.0.0.7/32")
        #expect(host.addressCount == "1")
        #expect(host.usableHostCount == "1")
        #expect(host.usableRange.first == host.usableRange.last)
    }

    @Test("IPv6 /0, /64, /127, /128")
    func ipv6Edges() throws {
        let all = try prefix("::/0")
        #expect(all.addressCount == "340282366920938463463374607431768211456")
        #expect(all.usableHostCount == "340282366920938463463374607431768211455")
        let subnet = try prefix("2001:db8::/64")
        #expect(subnet.addressCount == "18446744073709551616")
        #expect(subnet.usableRange.first.description == "2001:db8::1")
        #expect(subnet.lastAddress.description == "2001:db8::ffff:ffff:ffff:ffff")
        #expect(subnet.netmask.description == "ffff:ffff:ffff:ffff::")
        #expect(subnet.broadcast == nil)
        let p2p = try prefix("2001:db8::/127")
        #expect(p2p.usableHostCount == "2")
        #expect(p2p.usableRange.first.description == "2001:db8::")
        let host = try prefix("2001:db8::1/128")
        #expect(host.usableHostCount == "1")
    }

    @Test("a prefix is classified by the blocks that contain it, and lists the blocks inside it")
    func prefixClassification() throws {
        let c = try classify("192.0.0.0/16")
        #expect(c.specialEntries.isEmpty)
        #expect(c.containedEntries.map(\.prefix.description).contains("192.0.0.9/32"))
        // It holds special-purpose blocks, so it is neither public nor globally reachable as a whole.
        #expect(c.scope == .mixed)
        #expect(!c.isGlobal)
        #expect(AddressText.render(c).contains("no as a whole: it holds"))
        // Counts are grouped by thousands in text, as every other count nettool prints.
        #expect(AddressText.render(c).contains("65,536"))
        #expect(AddressText.render(try classify("::/0")).contains("340,282,366,920,938,463,463,374,607,431,768,211,456"))
        let everything = try classify("0.0.0.0/0")
        #expect(everything.scope == .mixed && !everything.isGlobal)
        let unicast = try classify("2000::/3")
        #expect(unicast.scope == .mixed && !unicast.isGlobal)
        // A block inside one special-purpose row keeps that row's scope, but not a global verdict.
        let assignments = try classify("192.0.0.0/24")
        #expect(assignments.scope == .protocolAssignment && !assignments.isGlobal)
        // A public prefix with nothing special inside stays public.
        let plain = try classify("8.8.0.0/16")
        #expect(plain.scope == .public && plain.isGlobal)
        let doc = try classify("2001:db8:1::/48")
        #expect(doc.scope == .documentation)
        #expect(doc.registryEntry?.prefix.description == "2001:db8::/32")
    }
}
