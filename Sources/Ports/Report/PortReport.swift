import HostState
import Rendering

/// `port-classify` output: JSON Lines and the human report.
public enum PortReport {
    public static func appendJSON(_ c: PortClassification, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(c.query.input)
        json.key("valid"); json.bool(true)
        json.key("port"); json.int(c.port)
        json.key("protocol"); json.optionalString(c.query.transport)
        json.key("range"); json.string(c.rangeClass.rawValue)
        json.key("privileged"); json.bool(c.privileged)
        json.key("unprivileged_port_start"); json.int(c.host.unprivilegedPortStart)
        json.key("ephemeral"); json.bool(c.ephemeral)
        json.key("ephemeral_range"); json.beginArray()
        json.int(c.host.ephemeralRange.lowerBound); json.int(c.host.ephemeralRange.upperBound)
        json.endArray()
        json.key("reserved_locally"); json.bool(c.reservedLocally)
        json.key("services"); json.beginArray()
        for service in c.services {
            json.beginObject()
            json.key("name"); json.string(service.name)
            json.key("protocol"); json.string(service.transport)
            json.key("description"); json.string(service.description)
            if let ports = service.ports, ports.count > 1 {
                json.key("ports"); json.string("\(ports.lowerBound)-\(ports.upperBound)")
            }
            json.key("reference"); json.string(service.reference)
            json.key("source"); json.string(service.source.rawValue)
            json.endObject()
        }
        json.endArray()
        json.key("common_uses"); json.beginArray()
        for use in c.commonUses {
            json.beginObject()
            json.key("use"); json.string(use.use)
            json.key("protocol"); json.optionalString(use.transport)
            json.key("source"); json.string(use.source)
            json.endObject()
        }
        json.endArray()
        json.key("listeners"); json.beginArray()
        for socket in c.listeners {
            json.beginObject()
            json.key("protocol"); json.string(socket.transport)
            json.key("address"); json.string(socket.address.description)
            json.key("pid"); if let pid = socket.pid { json.int(pid) } else { json.null() }
            json.key("process"); json.optionalString(socket.process)
            json.endObject()
        }
        json.endArray()
        json.key("bind"); json.beginObject()
        for verdict in c.bind {
            json.key(verdict.transport == "tcp" ? "tcp" : "udp"); json.beginObject()
            json.key("would_fail"); json.bool(verdict.wouldFail)
            json.key("reason"); json.string(verdict.reason)
            json.endObject()
        }
        json.endObject()
        if !c.host.assumedDefaults.isEmpty {
            json.key("assumed_defaults"); json.beginArray()
            for setting in c.host.assumedDefaults { json.string(setting) }
            json.endArray()
        }
        json.endObject()
    }

    public static func appendInvalidJSON(input: String, error: PortQueryError, to json: inout JSONLine) {
        json.beginObject()
        json.key("input"); json.string(input)
        json.key("valid"); json.bool(false)
        json.key("error"); json.string(error.description)
        json.endObject()
    }

    public static func text(_ c: PortClassification) -> String {
        var fields = FieldList()
        let host = c.host
        fields.add("range", "\(c.rangeClass.rawValue): \(c.rangeClass.explanation)")
        fields.add("privileged", c.privileged
            ? "yes: below net.ipv4.ip_unprivileged_port_start = \(host.unprivilegedPortStart)"
            : "no (net.ipv4.ip_unprivileged_port_start = \(host.unprivilegedPortStart))")
        fields.add("ephemeral", (c.ephemeral ? "yes: inside" : "no: outside")
            + " this host's ephemeral range \(host.ephemeralRange.lowerBound)-\(host.ephemeralRange.upperBound)"
            + " (net.ipv4.ip_local_port_range)")
        if c.reservedLocally { fields.add("reserved", "yes: listed in net.ipv4.ip_local_reserved_ports (never handed out as ephemeral)") }
        if c.services.isEmpty {
            fields.add("services", c.port == 0 ? "none" : "unassigned in the IANA registry")
        } else {
            fields.add("services", c.services.map { service in
                var line = "\(service.name.isEmpty ? "-" : service.name)/\(service.transport)  \(service.description)"
                if let ports = service.ports, ports.count > 1 { line += " (range \(ports.lowerBound)-\(ports.upperBound))" }
                if !service.reference.isEmpty { line += " \(service.reference)" }
                return line + (service.source == .iana ? "" : "  [\(service.source.rawValue)]")
            }.joined(separator: "\n"))
        }
        if !c.commonUses.isEmpty {
            fields.add("commonly used by", c.commonUses.map {
                "\($0.use)\($0.transport.map { " (\($0))" } ?? "")  — \($0.source)"
            }.joined(separator: "\n"))
        }
        fields.add("in use", c.listeners.isEmpty ? "nothing on this host is bound to it" : c.listeners.map { socket in
            "\(socket.transport) \(SocketText.endpoint(socket))" + (socket.transport == "tcp" ? " LISTEN" : "")
                // A process names itself: its name is escaped like any text from outside.
                + (socket.pid.map { " pid \($0) (\(TerminalText.escape(socket.process ?? "?")))" } ?? " (owner not visible to this user)")
        }.joined(separator: "\n"))
        fields.add("bind()", c.bind.map { "\($0.transport): \($0.wouldFail ? "would fail" : "ok"), \($0.reason)" }
            .joined(separator: "\n"))
        if !host.assumedDefaults.isEmpty { fields.add("note", "could not read " + host.assumedDefaults.joined(separator: "; ")) }
        let name = c.query.serviceName.map { " (\($0))" } ?? ""
        return "\(c.port)\(c.query.transport.map { "/" + $0 } ?? "")\(name)\n" + fields.render()
    }
}
