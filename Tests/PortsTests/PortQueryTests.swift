import Testing
@testable import Ports

private let iana = [ServiceRegistry.iana]

@Suite("Port input and the IANA registry")
struct PortQueryTests {
    @Test("RFC 6335 range boundaries", arguments: [
        (UInt16(0), PortRangeClass.reserved), (1, .wellKnown), (1023, .wellKnown), (1024, .registered),
        (49151, .registered), (49152, .dynamic), (65535, .dynamic),
    ])
    func rangeClass(port: UInt16, expected: PortRangeClass) throws {
        let queries = try PortQuery.parse(String(port), registries: iana)
        #expect(queries.map(\.ports) == [port...port])
        #expect(PortRangeClass(port) == expected)
    }

    @Test("numbers, ranges and transports")
    func numeric() throws {
        #expect(try PortQuery.parse("8000-8010", registries: iana).first?.ports == 8000...8010)
        let udp = try #require(try PortQuery.parse("53/udp", registries: iana).first)
        #expect(udp.ports == 53...53 && udp.transport == "udp" && udp.serviceName == nil)
        #expect(try PortQuery.parse("65535", registries: iana).first?.ports == 65535...65535)
    }

    @Test("service name to port", arguments: [
        ("https", [UInt16(443)], nil as String?),
        ("HTTPS", [443], nil),
        ("domain/udp", [53], "udp"),
        ("mdns", [5353], nil),
        ("www", [80], nil),
    ])
    func byName(name: String, ports: [UInt16], transport: String?) throws {
        let queries = try PortQuery.parse(name, registries: iana)
        #expect(queries.map(\.ports.lowerBound) == ports)
        #expect(queries.allSatisfy { $0.transport == transport && $0.serviceName != nil })
    }

    @Test("port to service names, every transport")
    func byPort() {
        let https = ServiceRegistry.iana.records(forPort: 443)
        #expect(Set(https.map(\.transport)) == ["tcp", "udp", "sctp"])
        #expect(https.allSatisfy { $0.name == "https" })
        let mdns = ServiceRegistry.iana.records(forPort: 5353)
        #expect(mdns.contains { $0.name == "mdns" && $0.transport == "udp" })
        // Ranges cover the ports inside them: X11 is registered as 6000-6063.
        #expect(ServiceRegistry.iana.records(forPort: 6010).contains { $0.name == "x11" && $0.ports == 6000...6063 })
        // Port 0 is "Reserved" on tcp and udp.
        #expect(ServiceRegistry.iana.records(forPort: 0).map(\.description) == ["Reserved", "Reserved"])
    }

    @Test("invalid input gives a sentence, never a trap", arguments: [
        ("65536", PortQueryError.outOfRange("65536")),
        ("99999999999999999999", .outOfRange("99999999999999999999")),
        ("-1", .outOfRange("-1")),
        ("+80", .signed("+80")),
        ("10-5", .backwardsRange(10, 5)),
        ("8000-70000", .outOfRange("70000")),
        ("abc", .unknownService("abc")),
        ("", .empty),
        ("/udp", .empty),
        ("https/xyz", .unknownTransport("xyz")),
        ("domain/sctp", .serviceNotOnTransport("domain", "sctp", available: ["tcp", "udp"])),
        ("argus", .nameWithoutPort("argus")),
    ])
    func invalid(input: String, expected: PortQueryError) {
        #expect(throws: expected) { try PortQuery.parse(input, registries: iana) }
    }

    @Test("/etc/services lines, with aliases and comments")
    func etcServices() throws {
        let records = EtcServices.parse("""
            # comment line
            http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
            domain\t\t53/udp
            broken line
            """)
        #expect(records.map(\.name) == ["http", "www", "domain"])
        #expect(records[0].description == "WorldWideWeb HTTP")
        #expect(records[1].description == "alias of http")
        #expect(records[2].ports == 53...53 && records[2].transport == "udp")
        let registry = ServiceRegistry(records: records)
        #expect(try PortQuery.parse("www", registries: [registry]).first?.ports == 80...80)
    }

    @Test("common uses are facts with sources, not assignments")
    func commonUses() {
        #expect(CommonUses.uses(forPort: 51820).first?.transport == "udp")
        #expect(CommonUses.uses(forPort: 5201).first?.use.contains("iperf3") == true)
        #expect(CommonUses.table.allSatisfy { !$0.source.isEmpty })
        #expect(CommonUses.uses(forPort: 22).isEmpty)
    }
}
