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

                \(ExitHelp.server)

                A server exits 0 after a normal stop (a signal, or --once done).

                Examples:
                  nettool tcp-echo-server --port 7007
                  nettool tcp-echo-server --port 0 --once --explain
                  nettool tcp-echo-server --port 7007 --line --idle-timeout 30s --max-connections 100
                  nettool tcp-echo-server --port 7007 --read-size 64 --explain
                """,
            version: Nettool.versionText
        )

        @OptionGroup var listen: ListenArguments

        @Option(help: "Close a connection after this long with nothing read or written (e.g. 30s).")
        var idleTimeout: DurationArgument?

        @Flag(help: "Serve one connection, then exit.")
        var once = false

        @Flag(help: "Echo complete lines only, each when its newline arrives (shows that TCP has no message boundaries).")
        var line = false

        @Option(help: "listen() backlog: handshakes queued for accept() (capped by net.core.somaxconn).")
        var backlog = 4096

        @Option(help: ArgumentHelp("Read at most this many bytes at a time (recv's length; default: up to 64 KiB; 64, 1K, 16KiB): small reads show a stream arriving in pieces.",
                                   valueName: "size"))
        var readSize: ByteCountArgument?

        @OptionGroup var tls: TLSServerArguments

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            if let idleTimeout, idleTimeout.value <= .zero { throw ValidationError("--idle-timeout must be longer than 0") }
            guard (1...65535).contains(backlog) else { throw ValidationError("--backlog must be 1-65535") }
            if let readSize, !(1...(1 << 20)).contains(readSize.bytes) { throw ValidationError("--read-size must be 1 byte to 1 MiB") }
        }

        func run() async throws {
            var options = EchoServerOptions()
            let (listenOptions, tlsLine) = try listen.options(tls: tls)
            options.listen = listenOptions
            options.listen.backlog = backlog
            options.listen.readSize = readSize?.bytes
            options.idleTimeout = idleTimeout?.value
            options.once = once
            options.lineMode = line

            // Events are written from the event loops, each line whole.
            let lines = SerialOutput()
            let quiet = output.quiet, json = output.json
            let server = try await EchoServer.bind(options, narrator: explainOption.narrator) { event in
                guard !quiet else { return }
                lines.write(json ? EchoReport.json(event) : Array(EchoReport.text(event).utf8))
            }
            if let tlsLine { printError(tlsLine) }
            let what = [line ? "echoing whole lines" : nil, tls.enabled ? "over TLS" : nil].compactMap { $0 }
            await server.localEndpoint.serveUntilStopped(lines: lines, json: json, what: what.isEmpty ? nil : what.joined(separator: ", "),
                                                        bytesWere: "echoed", stop: server.stop, run: server.run)
        }
    }
}
