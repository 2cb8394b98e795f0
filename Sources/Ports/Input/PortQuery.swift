import Rendering
/// One `port-classify` argument, resolved: a port or range, optionally limited to a transport.
public struct PortQuery: Sendable, Equatable {
    public let input: String
    public let ports: ClosedRange<UInt16>
    public let transport: String?
    /// Set when the input was a service name.
    public let serviceName: String?

    public static let transports = ["tcp", "udp", "sctp", "dccp"]

    /// Parses `443`, `8000-8010`, `53/udp`, `https`, `domain/udp`. A service name registered on
    /// several ports yields one query per port.
    public static func parse(_ text: String, registries: [ServiceRegistry]) throws(PortQueryError) -> [PortQuery] {
        guard !text.isEmpty else { throw .empty }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let subject = parts[0]
        var transport: String?
        if parts.count == 2 {
            let wanted = parts[1].lowercased()
            guard transports.contains(wanted) else { throw .unknownTransport(String(parts[1])) }
            transport = wanted
        }
        guard !subject.isEmpty else { throw .empty }

        if let range = try numericRange(subject) {
            return [PortQuery(input: text, ports: range, transport: transport, serviceName: nil)]
        }

        let records = registries.flatMap { $0.records(named: String(subject)) }
        guard !records.isEmpty else { throw .unknownService(String(subject)) }
        let onTransport = records.filter { transport == nil || $0.transport == transport }
        guard !onTransport.isEmpty else {
            let available = Set(records.map(\.transport)).filter { !$0.isEmpty }.sorted()
            throw .serviceNotOnTransport(String(subject), transport!, available: available)
        }
        var seen = Set<ClosedRange<UInt16>>()
        let ranges = onTransport.compactMap(\.ports).filter { seen.insert($0).inserted }
            .sorted { $0.lowerBound < $1.lowerBound }
        guard !ranges.isEmpty else { throw .nameWithoutPort(String(subject)) }
        return ranges.map { PortQuery(input: text, ports: $0, transport: transport, serviceName: String(subject)) }
    }

    /// nil when `text` is not numeric at all (then it is a service name).
    private static func numericRange(_ text: Substring) throws(PortQueryError) -> ClosedRange<UInt16>? {
        let isDigits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        if isDigits(text) { return try port(text)...port(text) }
        if text.first == "+", isDigits(text.dropFirst()) { throw .signed(String(text)) }
        if text.first == "-", isDigits(text.dropFirst()) { throw .outOfRange(String(text)) }
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, isDigits(bounds[0]), isDigits(bounds[1]) else { return nil }
        let low = try port(bounds[0]), high = try port(bounds[1])
        guard low <= high else { throw .backwardsRange(low, high) }
        return low...high
    }

    private static func port(_ digits: Substring) throws(PortQueryError) -> UInt16 {
        guard digits.count <= 5, let value = Int(digits), value <= 65535 else { throw .outOfRange(String(digits)) }
        return UInt16(value)
    }
}

public enum PortQueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case outOfRange(String)
    /// `+80`: a number with a sign, which no port is written with.
    case signed(String)
    case backwardsRange(UInt16, UInt16)
    case unknownTransport(String)
    case unknownService(String)
    case nameWithoutPort(String)
    case serviceNotOnTransport(String, String, available: [String])

    public var description: String {
        switch self {
        case .empty:
            return "empty input: give a port (443), a range (8000-8010) or a service name (https, domain/udp)"
        case .outOfRange(let text):
            return "port \(text) is out of range: ports are 0-65535"
        case .signed(let text):
            return "'\(TerminalText.escape(text))' has a sign; a port is a plain number 0-65535 (write \(text.dropFirst()))"
        case .backwardsRange(let low, let high):
            return "range \(low)-\(high) runs backwards; write \(high)-\(low)"
        case .unknownTransport(let name):
            return "unknown transport protocol '\(TerminalText.escape(name))'; use tcp, udp, sctp or dccp"
        case .unknownService(let name):
            return "'\(TerminalText.escape(name))' is neither a port number nor a service name in the IANA registry or /etc/services"
        case .nameWithoutPort(let name):
            return "service '\(TerminalText.escape(name))' is registered with IANA without a port number (it is found by DNS-SD/SRV, not by port)"
        case .serviceNotOnTransport(let name, let transport, let available):
            return "service '\(TerminalText.escape(name))' has no \(transport) registration"
                + (available.isEmpty ? "" : " (it has \(available.joined(separator: ", ")))")
        }
    }
}
