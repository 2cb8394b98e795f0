/// One registration: a service name on a port (or range) and a transport protocol.
public struct ServiceRecord: Sendable, Equatable {
    public enum Source: String, Sendable {
        case iana
        case etcServices = "/etc/services"
    }

    public let name: String
    /// nil for IANA "service name only" registrations.
    public let ports: ClosedRange<UInt16>?
    public let transport: String
    public let description: String
    public let reference: String
    public let source: Source
}

/// The IANA Service Name and Transport Protocol Port Number Registry, embedded in the binary
/// (see `ServiceRegistry+Generated.swift`) and indexed on first use.
public struct ServiceRegistry: Sendable {
    public let records: [ServiceRecord]
    private let byPort: [UInt16: [Int]]
    private let rangeIndices: [Int]

    public init(records: [ServiceRecord]) {
        self.records = records
        var byPort: [UInt16: [Int]] = [:]
        var ranges: [Int] = []
        for (index, record) in records.enumerated() {
            guard let ports = record.ports else { continue }
            if ports.count == 1 { byPort[ports.lowerBound, default: []].append(index) } else { ranges.append(index) }
        }
        self.byPort = byPort
        self.rangeIndices = ranges
    }

    public static let iana = ServiceRegistry(records: parseTable(ianaTable, source: .iana))

    /// Records for `port`, single-port registrations first, then ranges that cover it.
    public func records(forPort port: UInt16) -> [ServiceRecord] {
        (byPort[port] ?? []).map { records[$0] }
            + rangeIndices.lazy.filter { self.records[$0].ports!.contains(port) }.map { self.records[$0] }
    }

    /// Records whose name matches (case-insensitively, as RFC 6335 section 5.1 says names compare).
    public func records(named name: String) -> [ServiceRecord] {
        let wanted = name.lowercased()
        return records.filter { $0.name.lowercased() == wanted }
    }

    static func parseTable(_ table: String, source: ServiceRecord.Source) -> [ServiceRecord] {
        table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5 else { return nil }
            return ServiceRecord(name: String(fields[0]), ports: PortRangeText.parse(fields[1]), transport: String(fields[2]),
                                 description: String(fields[3]), reference: String(fields[4]), source: source)
        }
    }
}

enum PortRangeText {
    /// "443" or "6000-6063"; nil for an empty or malformed cell.
    static func parse(_ text: Substring) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let low = parts.first.flatMap({ UInt16($0) }) else { return nil }
        if parts.count == 1 { return low...low }
        guard parts.count == 2, let high = UInt16(parts[1]), high >= low else { return nil }
        return low...high
    }
}
