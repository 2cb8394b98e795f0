import ArgumentParser
import Endpoints
import Rendering
import Serving
import TCPEcho

extension Nettool {
    struct TCPEchoServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tcp-echo-server",
            abstract: "A concurrent TCP echo server: every byte a client sends comes back.",
            discussion: """
                One event loop per core serves any number of clients at once. Each connection is \
                logged when it opens and closes (peer, bytes echoed, duration). A client that sends \
                but never reads its echo cannot make the server buffer without bound: the server \
                stops reading from it until it catches up. Bound to [::] (the default) it takes \
                IPv4 and IPv6 clients alike. Ctrl-C stops accepting, lets open connections finish \
                for --grace, then prints a summary (a second Ctrl-C closes them at once).

                \(ExitStatus.helpText)
                A server exits 0 after a normal stop (a signal, or --once done).

                Examples:
                  nettool tcp-echo-server --port 7007
                  nettool tcp-echo-server --port 0 --once --explain
                  nettool tcp-echo-server --port 7007 --line --idle-timeout 30s --max-connections 100
                """,
            version: Nettool.versionText
        )

        @Option(help: "Local address to listen on (default: [::], all addresses, IPv4 and IPv6).")
        var bind = "::"

        @Option(name: .shortAndLong, help: "Port to listen on; 0 asks the kernel for a free one (printed).")
        var port: Int

        @Option(help: "Accept at most this many connections at once; more are accepted and closed at once, with a log line.")
        var maxConnections: Int?

        @Option(help: "Close a connection after this long with nothing read or written (e.g. 30s).")
        var idleTimeout: DurationArgument?

        @Flag(help: "Serve one connection, then exit.")
        var once = false

        @Flag(help: "Echo complete lines only, each when its newline arrives (shows that TCP has no message boundaries).")
        var line = false

        @Option(help: "On Ctrl-C/SIGTERM, let open connections go on this long before closing them.")
        var grace = DurationArgument(.seconds(2))

        @Option(help: "listen() backlog: handshakes queued for accept() (capped by net.core.somaxconn).")
        var backlog = 4096

        @Flag(help: "Do not log connections; print only the summary.")
        var quiet = false

        @Flag(help: "JSON Lines: listening, open, close, rejected and summary events.")
        var json = false

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("port \(port) is out of range: ports are 0-65535") }
            if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
            if let idleTimeout, idleTimeout.value <= .zero { throw ValidationError("--idle-timeout must be longer than 0") }
            guard (1...65535).contains(backlog) else { throw ValidationError("--backlog must be 1-65535") }
        }

        func run() async throws {
            var options = EchoServerOptions()
            options.listen.bindHost = bind
            options.listen.port = port
            options.listen.backlog = backlog
            options.listen.maxConnections = maxConnections
            options.idleTimeout = idleTimeout?.value
            options.once = once
            options.lineMode = line
            options.listen.grace = grace.value
            options.listen.onAcceptPause = { printError("nettool: \($0)") }

            // Events are written from the event loops, each line whole.
            let output = SerialOutput()
            let quiet = self.quiet, json = self.json
            let server: EchoServer
            do {
                server = try await EchoServer.bind(options, narrator: explainOption.narrator) { event in
                    guard !quiet else { return }
                    output.write(json ? EchoReport.json(event) : Array(EchoReport.text(event).utf8))
                }
            } catch {
                throw fail(error)
            }
            let mode = line ? ", echoing whole lines" : ""
            if json {
                output.write(server.localEndpoint.listeningRecord(transport: .tcp))
            } else {
                printError("listening on \(server.localEndpoint)/tcp\(mode)")
            }
            let signals = onTerminationSignals { server.stop() }
            defer { signals.forEach { $0.cancel() } }
            let summary = await server.run()
            if json { output.write(ServerSummaryReport.json(summary)) } else { printError(ServerSummaryReport.text(summary, bytesWere: "echoed")) }
        }
    }
}

/// Prints a TCP error's sentence and returns the exit status to throw.
func fail(_ error: TCPError) -> ExitCode {
    printError("nettool: \(error)")
    return ExitCode(error.exitStatus)
}
