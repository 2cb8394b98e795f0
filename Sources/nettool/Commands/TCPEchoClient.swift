import ArgumentParser
import Capture
import Endpoints
import ProcessIO
import Rendering
import TCPEcho
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct TCPEchoClient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tcp-echo-client",
            abstract: "Talk to a TCP echo server: one message, an interactive session, or a load test.",
            discussion: """
                With MESSAGE: sends it, reads until the whole echo is back (TCP may deliver it in \
                pieces), prints it and checks it matches; the round-trip time goes to stderr. \
                Without MESSAGE: stdin goes to the server as it comes and the echo to stdout; at \
                the end of input the client half-closes and exits once every byte came back. \
                --bench: a load generator (like tcpkali) that verifies every echoed byte and reports \
                messages/s, MB/s, latency percentiles and connection setups (handshakes) per \
                second; with --reconnect N every connection is replaced after N messages, which \
                is how TLS servers are measured.

                \(ExitHelp.tcpClient)

                Examples:
                  nettool tcp-echo-client 127.0.0.1 7007 hello
                  nettool tcp-echo-client 127.0.0.1 7007 hello --repeat 3 --explain
                  nettool tcp-echo-client 127.0.0.1 7007 hello --reset --explain
                  printf 'one\\ntwo\\n' | nettool tcp-echo-client ::1 7007
                  nettool tcp-echo-client 127.0.0.1 7007 --bench --connections 64 --size 64 --duration 5s
                  nettool tcp-echo-client 127.0.0.1 7007 --bench --pipeline 16 --messages 100000 --json
                  nettool tcp-echo-client localhost 7443 hello --tls --cacert cert.pem --explain
                  nettool tcp-echo-client localhost 7443 --bench --tls --cacert cert.pem --connections 64 --reconnect 1
                """,
            version: Nettool.versionText
        )

        @OptionGroup var remote: RemoteArguments

        @Argument(help: "Send this, expect it back (default: interactive, from stdin).")
        var message: String?

        @Flag(help: "Append a newline to MESSAGE (for line-based servers such as tcp-echo-server --line).")
        var newline = false

        @Option(help: ArgumentHelp("Send MESSAGE this many times back to back, one write each, and expect all of it back (a stream keeps no boundaries).",
                                   valueName: "n"))
        var `repeat` = 1

        @Flag(help: "Send MESSAGE, and once its echo starts to arrive abort the connection with a reset (RST, SO_LINGER 0), leaving the echo unread.")
        var reset = false

        @Option(help: "How long the TCP handshake may take.")
        var connectTimeout = DurationArgument(.seconds(5))

        @Option(help: "How long to wait for the rest of an echo with nothing arriving.")
        var timeout = DurationArgument(.seconds(5))

        @Flag(help: "Load test: many connections, verified echoes, throughput and latency percentiles.")
        var bench = false

        @Option(help: "--bench: connections to open (1-10000).")
        var connections = 1

        @Option(help: "--bench: bytes per message.")
        var size = 64

        @Option(help: "--bench: run this long (default 10s)...")
        var duration: DurationArgument?

        @Option(help: "--bench: ...or until this many messages (in total) came back.")
        var messages: Int?

        @Option(help: "--bench: messages in flight per connection (1 = ping-pong).")
        var pipeline = 1

        @Option(help: ArgumentHelp("--bench: close each connection after N messages and open a new one (1 = a connection, and with --tls a handshake, per message).",
                                   valueName: "N"))
        var reconnect: Int?

        @Flag(help: "Speak TLS to the server (verified against this host's trust store, or --cacert).")
        var tls = false

        @OptionGroup var tlsClient: TLSClientArguments

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        @OptionGroup var wireOption: WireOption

        func validate() throws {
            if connectTimeout.value <= .zero || timeout.value <= .zero { throw ValidationError("timeouts must be longer than 0") }
            if message == "" && !newline { throw ValidationError("MESSAGE is empty: there is nothing to echo") }
            if !(1...10_000).contains(`repeat`) { throw ValidationError("--repeat must be 1-10000") }
            if (`repeat` != 1 || reset) && (message == nil || bench) { throw ValidationError("--repeat and --reset go with MESSAGE") }
            if `repeat` != 1 && reset { throw ValidationError("--repeat waits for the echo and --reset does not: choose one") }
            if !tls && (tlsClient.cacert != nil || tlsClient.insecure || tlsClient.servername != nil || tlsClient.keylog != nil) {
                throw ValidationError("--cacert, --insecure, --servername and --keylog go with --tls")
            }
            guard bench else {
                if connections != 1 || size != 64 || duration != nil || messages != nil || pipeline != 1 || reconnect != nil {
                    throw ValidationError("--connections, --size, --duration, --messages, --pipeline and --reconnect go with --bench")
                }
                return
            }
            if message != nil { throw ValidationError("--bench generates its own messages; leave out MESSAGE") }
            if wireOption.wire { throw ValidationError("--wire follows one connection; --bench opens many (use capture --tcp)") }
            if duration != nil && messages != nil { throw ValidationError("--duration and --messages exclude each other") }
            if let problem = loadOptions.problem { throw ValidationError(problem) }
        }

        private var clientOptions: EchoClientOptions {
            var options = EchoClientOptions()
            options.host = remote.host
            options.port = remote.port
            options.family = remote.family
            options.connectTimeout = connectTimeout.value
            options.timeout = timeout.value
            options.tls = tls ? tlsClient.options : nil
            return options
        }

        private var loadOptions: LoadOptions {
            var options = LoadOptions()
            options.target = clientOptions
            options.connections = connections
            options.size = size
            options.pipeline = pipeline
            options.messages = messages
            options.reconnect = reconnect
            if let duration { options.duration = duration.value }
            return options
        }

        func run() async throws {
            if bench { return try await runBench(loadOptions) }
            // Without MESSAGE stdout carries the echo, so --json's wire records go to stderr.
            let tap = wireOption.start(.tcp, host: remote.host, port: remote.port, family: remote.family, json: output.json,
                                       jsonToStdout: message != nil,
                                       narrated: explainOption.explain)
            let narrator = explainOption.narrator(syncing: tap, callFirst: true)
            do {
                defer { tap?.finish() }  // the close's segments, before the result
                if let message, reset {
                    let (server, sent, dropped) = try await EchoClient.sendThenReset(
                        clientOptions, message: Array(message.utf8) + (newline ? [UInt8(ascii: "\n")] : []), narrator: narrator)
                    tap?.finish()
                    output.result(json: EchoReport.resetJSON(server: server, sent: sent, dropped: dropped),
                                  text: EchoReport.resetText(server: server, sent: sent, dropped: dropped))
                } else if let message {
                    try await runRoundTrip(clientOptions, message: Array(message.utf8) + (newline ? [UInt8(ascii: "\n")] : []),
                                           narrator: narrator, tap: tap)
                } else {
                    try await runSession(clientOptions, narrator: narrator, tap: tap)
                }
            }
        }

        private func runRoundTrip(_ options: EchoClientOptions, message: [UInt8], narrator: Narrator, tap: FlowTap?) async throws {
            let trip = try await EchoClient.roundTrip(options, message: message, repeats: `repeat`, narrator: narrator)
            tap?.finish()
            let mismatch = EchoMismatch.describe(sent: Array([[UInt8]](repeating: message, count: `repeat`).joined()), echo: trip.echo)
            OutputStream.write(output.json ? EchoReport.json(trip, matches: mismatch == nil) : Array(EchoReport.echo(trip).utf8))
            if let mismatch { throw TCPError.mismatch(mismatch) }
            if !output.json { printError(EchoReport.text(trip)) }
        }

        private func runSession(_ options: EchoClientOptions, narrator: Narrator, tap: FlowTap?) async throws {
            let terminal = isatty(1) == 1
            let summary = try await EchoClient.session(
                options, narrator: narrator, input: { await readChunk(fd: 0) },
                onConnected: { server in
                    if !output.quiet && !output.json && isatty(0) == 1 { printError("connected to \(server); type lines, Ctrl-D ends") }
                },
                onEcho: { chunk in chunk.withUnsafeReadableBytes { writeReceived($0, terminal: terminal) } })
            tap?.finish()
            output.result(json: EchoReport.json(summary), text: EchoReport.text(summary))
        }

        private func runBench(_ options: LoadOptions) async throws {
            // A progress line once a second, only for a person watching a terminal.
            let showProgress = !output.quiet && isatty(2) == 1
            let draw: @Sendable (LoadProgress) -> Void = { redrawStatusLine(EchoReport.progressLine($0)) }
            let report = try await LoadGenerator.run(options, narrator: explainOption.narrator, progress: showProgress ? draw : nil)
            if showProgress { printError("") }
            OutputStream.write(output.json ? EchoReport.json(report) : Array((EchoReport.text(report) + "\n").utf8))
            if report.errors > 0 { throw ExitCode(ExitStatus.failure) }
        }
    }
}
