import HostState
import Rendering

/// `port-classify` output: JSON Lines and the human report.
public enum PortReport {
    public static func appendJSON(_ c: PortClassification, to json: inout JSONLine) {
        json.beginObject()
        json.field("input", c.query.input)
        json.field("valid", true)
        json.field("port", c.port)
        json.field("protocol", c.query.transport)
        json.field("range", c.rangeClass.rawValue)
        json.field("privileged", c.privileged)
        json.field("unprivileged_port_start", c.host.unprivilegedPortStart)
        json.field("ephemeral", c.ephemeral)
        json.key("ephemeral_range"); json.beginArray()
        json.int(c.host.ephemeralRange.lowerBound); json.int(c.host.ephemeralRange.upperBound)
        json.endArray()
        json.field("reserved_locally", c.reservedLocally)
        json.objects("services", c.services) { json, service in
            json.field("name", service.name)
            json.field("protocol", service.transport)
            json.field("description", service.description)
            if let ports = service.ports, ports.count > 1 {
                json.field("ports", "\(ports.lowerBound)-\(ports.upperBound)")
            }
            json.field("reference", service.reference)
            json.field("source", service.source.rawValue)
        }
        json.objects("common_uses", c.commonUses) { json, use in
            json.field("use", use.use)
            json.field("protocol", use.transport)
            json.field("source", use.source)
        }
        json.objects("listeners", c.listeners) { json, socket in
            json.field("protocol", socket.transport)
            json.field("address", socket.address.description)
            json.field("pid", socket.pid)
            json.field("process", socket.process)
        }
        json.key("bind"); json.beginObject()
        for verdict in c.bind {
            json.key(verdict.transport == "tcp" ? "tcp" : "udp"); json.beginObject()
            json.field("would_fail", verdict.wouldFail)
            json.field("reason", verdict.reason)
            json.endObject()
        }
        json.endObject()
        if !c.host.assumedDefaults.isEmpty {
            json.array("assumed_defaults", c.host.assumedDefaults) { json, setting in json.string(setting) }
        }
        json.endObject()
    }

    public static func appendInvalidJSON(input: String, error: PortQueryError, to json: inout JSONLine) {
        json.beginObject()
        json.field("input", input)
        json.field("valid", false)
        json.field("error", error.description)
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
