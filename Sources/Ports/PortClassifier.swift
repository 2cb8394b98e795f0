import HostState
/// RFC 6335 section 6 port ranges.
public enum PortRangeClass: String, Sendable {
    case reserved
    case wellKnown = "well-known"
    case registered
    case dynamic

    public init(_ port: UInt16) {
        switch port {
        case 0: self = .reserved
        case 1...1023: self = .wellKnown
        case 1024...49151: self = .registered
        default: self = .dynamic
        }
    }

    public var explanation: String {
        switch self {
        case .reserved: return "port 0 is reserved; bind() to 0 asks the kernel for any free port"
        case .wellKnown: return "System Ports 1-1023, assigned by IETF review"
        case .registered: return "User Ports 1024-49151, assigned by IANA on request"
        case .dynamic: return "Dynamic/Private Ports 49152-65535, never assigned"
        }
    }
}

/// Would `bind()` to the wildcard address on this port succeed for this process right now?
public struct BindVerdict: Sendable, Equatable {
    public let transport: String
    public let wouldFail: Bool
    public let reason: String
}

public struct PortClassification: Sendable {
    public let query: PortQuery
    public let port: UInt16
    public let rangeClass: PortRangeClass
    public let privileged: Bool
    public let ephemeral: Bool
    public let reservedLocally: Bool
    public let services: [ServiceRecord]
    public let commonUses: [CommonUse]
    public let listeners: [BoundSocket]
    public let bind: [BindVerdict]
    public let host: HostPortState
}

public struct PortClassifier: Sendable {
    public let registries: [ServiceRegistry]
    public let host: HostPortState

    public init(registries: [ServiceRegistry], host: HostPortState) {
        self.registries = registries
        self.host = host
    }

    public func classify(_ query: PortQuery) -> [PortClassification] {
        query.ports.map { classify(port: $0, query: query) }
    }

    func classify(port: UInt16, query: PortQuery) -> PortClassification {
        let transport = query.transport
        var services: [ServiceRecord] = []
        for registry in registries {
            for record in registry.records(forPort: port) where transport == nil || record.transport == transport {
                let duplicate = services.contains {
                    $0.name.lowercased() == record.name.lowercased() && $0.transport == record.transport
                }
                if !duplicate { services.append(record) }
            }
        }
        let uses = CommonUses.uses(forPort: port).filter { transport == nil || $0.transport == nil || $0.transport == transport }
        let listeners = host.sockets(on: port).filter { transport == nil || $0.transport == transport }
        let verdicts = ["tcp", "udp"].filter { transport == nil || transport == $0 }.map { verdict(port: port, transport: $0) }
        return PortClassification(
            query: query, port: port, rangeClass: PortRangeClass(port), privileged: host.isPrivileged(port),
            ephemeral: host.isEphemeral(port), reservedLocally: host.isReservedLocally(port), services: services,
            commonUses: uses, listeners: listeners, bind: verdicts, host: host)
    }

    private func verdict(port: UInt16, transport: String) -> BindVerdict {
        if port == 0 {
            return BindVerdict(transport: transport, wouldFail: false, reason: "port 0 asks the kernel for a free ephemeral port")
        }
        if host.isPrivileged(port) && !host.hasBindCapability {
            return BindVerdict(transport: transport, wouldFail: true,
                               reason: "port \(port) is below net.ipv4.ip_unprivileged_port_start (\(host.unprivilegedPortStart)): "
                                   + "it needs root or CAP_NET_BIND_SERVICE")
        }
        if let holder = host.sockets(on: port).first(where: { $0.transport == transport }) {
            let owner = holder.pid.map { "pid \($0) (\(holder.process ?? "?"))" } ?? "a process this user cannot see"
            return BindVerdict(transport: transport, wouldFail: true,
                               reason: "address in use: \(owner) is bound to \(SocketText.endpoint(holder))")
        }
        return BindVerdict(transport: transport, wouldFail: false, reason: "free: nothing on this host is bound to \(transport) port \(port)")
    }
}

enum SocketText {
    static func endpoint(_ socket: BoundSocket) -> String {
        socket.address.family == .v6 ? "[\(socket.address)]:\(socket.port)" : "\(socket.address):\(socket.port)"
    }
}
