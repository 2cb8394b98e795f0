import ArgumentParser
import Endpoints
import HostState
import Ports
import Rendering

extension Nettool {
    struct PortClassify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "port-classify",
            abstract: "Say what a port is: IANA range and services, common use, and who uses it on this host now.",
            discussion: """
                PORT is a number (443), a range (8000-8010), a service name (https) or any of these with a \
                transport (domain/udp, 53/udp).

                For each port: the RFC 6335 range (reserved, well-known, registered, dynamic); whether it is \
                privileged or ephemeral on this host (read live from /proc/sys/net/ipv4); IANA service names for \
                every transport and /etc/services entries; well-known de-facto uses with their source; the \
                sockets bound to it right now with their process (like ss -ltnup); and whether bind() on it \
                would fail for you, and why.

                \(ExitHelp.local)

                1 when any input is not a valid port, range or service name.

                Examples:
                  nettool port-classify 5353
                  nettool port-classify https domain/udp 8000-8010
                  nettool port-classify --json 51820
                """,
            version: Nettool.versionText
        )

        @Argument(parsing: .allUnrecognized, help: "Ports, ranges or service names.")
        var ports: [String] = []

        @Flag(help: "One JSON object per port (JSON Lines).")
        var json = false

        func validate() throws {
            if ports.allSatisfy({ $0 == "--" }) { throw ValidationError("give at least one port, range or service name (e.g. 443, 8000-8010, https)") }
        }

        func run() throws {
            // `.allUnrecognized` keeps a `--` terminator among the ports; it is not one.
            if !PortBatch.classify(ports.filter { $0 != "--" }, json: json) { throw ExitCode(ExitStatus.failure) }
        }
    }
}
