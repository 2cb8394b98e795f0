import HostState

enum PortsLesson {
    static func run(_ tour: TourContext) throws {
        let ephemeral = unusedUDPPort()
        let ports = ["22", "443", "5353", String(ephemeral)]
        let result = try tour.run(["port-classify"] + ports)
        var seenServices = Set<String>()
        let shown = lines(result.out).filter { line in
            if !line.hasPrefix(" ") { seenServices.removeAll(); return true }
            if line.hasPrefix("  services") { return seenServices.insert("first").inserted }
            return line.hasPrefix("  range") || line.hasPrefix("  ephemeral") || line.hasPrefix("  in use")
        }
        let ok = result.status == 0 && shown.contains { $0.contains("ssh/") } && shown.contains { $0.contains("mdns/") }
            && shown.contains { $0.hasPrefix("  ephemeral") && $0.contains("yes") }
        tour.emit(TourStep(
            lesson: .ports, number: 1, title: "What a port number means",
            command: command(["port-classify"] + ports), output: shown,
            explanation: """
                A port picks one program among all those on an address. 0-1023 are well-known: \
                IANA assigns them by standard (22 ssh, 443 https), and binding one needs root or \
                CAP_NET_BIND_SERVICE. 1024-49151 are registered on request (5353 is multicast DNS). \
                Port \(ephemeral) came from this host's ephemeral range, where the kernel picks a \
                port for every client socket that does not ask for one.
                """,
            ok: ok, facts: [("ephemeral_port", String(ephemeral))]))

        let state = HostPortState.read()
        let listening = state.sockets
            .sorted { ($0.transport, $0.port) < ($1.transport, $1.port) }
            .map { "\($0.transport) \($0.address.family == .v6 ? "[\($0.address)]" : $0.address.description):\($0.port)"
                + ($0.process.map { " (\($0))" } ?? "") }
        tour.emit(TourStep(
            lesson: .ports, number: 2, title: "What listens on this host right now",
            command: nil, output: listening.isEmpty ? ["nothing is bound"] : listening,
            explanation: """
                Read from /proc/net/tcp, tcp6, udp and udp6: TCP sockets in LISTEN state and bound \
                UDP sockets, with the process that owns each when /proc lets us see it. \
                `nettool port-classify PORT` tells the same for one port, and whether bind() would work.
                """,
            ok: true, facts: [("sockets", String(listening.count))]))
    }
}
