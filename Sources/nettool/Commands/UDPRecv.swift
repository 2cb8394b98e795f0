import Addresses
import ArgumentParser
import Datagrams
import Endpoints
import ProcessIO
import Rendering

extension Nettool {
    struct UDPRecv: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udp-recv",
            abstract: "Receive UDP datagrams from every sender and show each one.",
            discussion: """
                Binds a UDP socket and prints every datagram: sender, the local address and interface \
                it arrived on, size, and the payload as text when it is printable UTF-8, else as a hex \
                dump. Unlike `nc -u -l` it never locks onto the first sender. Bound to [::] (the \
                default) it takes IPv4 and IPv6 senders alike. Ctrl-C prints a summary, with the packets \
                the kernel dropped because the receive buffer was full (read from /proc/net/udp). A run of equal \
                datagrams that a sender grouped with UDP GSO (udp-send does, at full speed) is read in \
                one go (UDP_GRO) and still shown and counted datagram by datagram.

                \(ExitHelp.text(.success, .failure, .usage))

                1 also when --timeout passed with nothing received.

                Examples:
                  nettool udp-recv --port 9999
                  nettool udp-recv --port 0 --echo      # an echo server
                  nettool udp-recv --port 5353 --join 224.0.0.251 --interface eth0
                  nettool udp-recv --port 9999 --count 1 --timeout 5s --json
                  nettool udp-recv --port 9999 --numbered --timeout 2s --quiet   # with: udp-send HOST 9999 x --count 1000 --numbered
                """,
            version: Nettool.versionText
        )

        @Option(help: "Local address to bind (default: [::], all addresses, IPv4 and IPv6; 0.0.0.0 when joining an IPv4 group).")
        var bind: String?

        @Option(name: .shortAndLong, help: "Local port; 0 asks the kernel for a free one (printed).", transform: PortArgument.local)
        var port: Int

        @Option(help: "Stop after this many datagrams.")
        var count: Int?

        @Option(help: "Stop after this long with nothing received (e.g. 5s, 500ms); exit 1 if nothing came.")
        var timeout: DurationArgument?

        @Flag(help: "Send every datagram back to its sender (a UDP echo server).")
        var echo = false

        @Flag(help: "Read udp-send --numbered's '#I/N ' prefixes; the summary names the missing, reordered and repeated datagrams.")
        var numbered = false

        @Option(help: ArgumentHelp("Remember at most this many senders (for the summary's count); past it the least recently "
                                   + "seen are forgotten, with one alert.", valueName: "n"))
        var tableLimit = SenderTable.defaultLimit

        @Option(help: "Join this multicast group (IPv4 or IPv6); repeatable.")
        var join: [String] = []

        @Option(help: "Interface for --join (default: the kernel's choice).")
        var interface: String?

        @Flag(help: "Always show payloads as a hex dump.")
        var hex = false

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
            if tableLimit < 1 { throw ValidationError("--table-limit must be 1 or more") }
            if let bind, IPAddress(bind) == nil {
                throw ValidationError("--bind takes an IP address of this host, e.g. 127.0.0.1 or ::; got '\(TerminalText.escape(bind))'")
            }
            if let text = join.first(where: { IPAddress($0)?.isMulticast != true }) {
                throw ValidationError("--join takes a multicast group address (224.0.0.0/4 or ff00::/8); '\(TerminalText.escape(text))' is not one")
            }
            if let problem = options.problem { throw ValidationError(problem) }
        }

        private var options: UDPReceiveOptions {
            var options = UDPReceiveOptions()
            options.groups = join.compactMap(IPAddress.init)
            // A socket joins groups of its own family, so the groups decide the family.
            options.bindHost = bind ?? (options.groups.first?.family == .v4 ? "0.0.0.0" : "::")
            options.port = port
            options.echo = echo
            options.interface = interface
            options.count = count
            options.idleTimeout = timeout?.value
            options.numbered = numbered
            options.tableLimit = tableLimit
            return options
        }

        func run() async throws {
            // Datagrams are written from the receiver's event loop, one at a time, in order.
            let lines = SerialOutput()
            let quiet = output.quiet, json = output.json, hex = self.hex
            let receiver = try await UDPReceiver.bind(options, narrator: explainOption.narrator, onTableFull: { alert in
                if json { lines.write(DatagramReport.json(alert)) } else { printError(DatagramReport.text(alert)) }
            }, onDatagram: { datagram in
                guard !quiet else { return }
                lines.write(json ? DatagramReport.json(datagram) : Array(DatagramReport.text(datagram, forceHex: hex).utf8))
            })
            // Armed before the ready line, as for the servers (Serving/ServerConsole.swift).
            let signals = onTerminationSignals { receiver.stop() }
            defer { signals.forEach { $0.cancel() } }
            if json {
                lines.write(receiver.localEndpoint.listeningRecord(transport: .udp))
            } else {
                printError("listening on \(receiver.localEndpoint)/udp" + (echo ? ", echoing" : ""))
            }

            let summary = try await receiver.run()
            if json { lines.write(DatagramReport.json(summary)) } else { printError(DatagramReport.text(summary)) }
            if summary.datagrams == 0 && summary.timedOut, let timeout {
                throw NothingReceived(endpoint: receiver.localEndpoint, timeout: timeout.value)
            }
        }
    }
}
