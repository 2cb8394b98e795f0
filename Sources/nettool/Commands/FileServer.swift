import ArgumentParser
import Endpoints
import FileTransfer
import Rendering
import Serving

extension FileServerOptions.WireProtocol: ExpressibleByArgument {}

extension Nettool {
    struct FileServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "file-server",
            abstract: "Serve a folder over HTTP/1.1, or over the classic 'send a name, get the bytes' protocol.",
            discussion: """
                --protocol http (the default): GET and HEAD with Content-Length, Last-Modified, a \
                strong ETag, Repr-Digest (SHA-256), byte ranges (206, 416, If-Range), keep-alive, and \
                folder listings (HTML for browsers, text for curl). Files go out with sendfile(2).

                --protocol raw: the client sends a file name (ending at a newline, at its half-close, \
                or after a 0.5 s pause); the server sends the file's bytes and closes. A missing file \
                is answered by closing without a byte.

                Nothing outside --root is served: not through '..', percent-escapes, absolute names, \
                NUL bytes, backslashes or symbolic links that point out; hidden files (.git, .env) \
                only with --show-hidden. Every request is logged with its peer, status and bytes.

                \(ExitStatus.helpText)
                A server exits 0 after Ctrl-C/SIGTERM (in-flight transfers get --grace, then a summary).

                Examples:
                  nettool file-server --root ~/public --port 8080
                  nettool file-server --root . --port 9000 --protocol raw --explain
                """,
            version: Nettool.versionText
        )

        @Option(help: "The folder to serve.")
        var root: String

        @Option(help: "Local address to listen on (default: [::], IPv4 and IPv6).")
        var bind = "::"

        @Option(name: .shortAndLong, help: "Port to listen on; 0 asks the kernel for a free one (printed).")
        var port: Int

        @Option(name: .customLong("protocol"), help: "http or raw (the lesson protocol).")
        var wireProtocol = FileServerOptions.WireProtocol.http

        @Flag(help: "Also serve hidden files and folders (names starting with a dot).")
        var showHidden = false

        @Option(help: "Close a connection that sends nothing, or not a whole request head, for this long.")
        var idleTimeout = DurationArgument(.seconds(30))

        @Option(help: "Accept at most this many connections at once; more are closed at once, with a log line.")
        var maxConnections: Int?

        @Option(help: "On Ctrl-C/SIGTERM, let transfers in flight go on this long before closing them.")
        var grace = DurationArgument(.seconds(2))

        @Flag(help: "Do not log requests; print only the summary.")
        var quiet = false

        @Flag(help: "JSON Lines: listening, request and summary events.")
        var json = false

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("port \(port) is out of range: ports are 0-65535") }
            if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
            if idleTimeout.value <= .zero { throw ValidationError("--idle-timeout must be longer than 0") }
        }

        func run() async throws {
            var options = FileServerOptions()
            options.root = root
            options.listen.bindHost = bind
            options.listen.port = port
            options.listen.maxConnections = maxConnections
            options.listen.grace = grace.value
            options.listen.onAcceptPause = { printError("nettool: \($0)") }
            options.wireProtocol = wireProtocol
            options.showHidden = showHidden
            options.idleTimeout = idleTimeout.value

            let output = SerialOutput()
            let quiet = self.quiet, json = self.json
            let server: FileTransfer.FileServer
            do {
                server = try await FileTransfer.FileServer.bind(options, narrator: explainOption.narrator) { request in
                    guard !quiet else { return }
                    output.write(json ? FileServerReport.json(request) : Array(FileServerReport.text(request).utf8))
                }
            } catch {
                printError("nettool: \(error)")
                throw ExitCode(ExitStatus.failure)
            }
            if json {
                output.write(server.localEndpoint.listeningRecord(transport: .tcp, protocol: wireProtocol.rawValue))
            } else {
                printError("listening on \(server.localEndpoint)/tcp, serving \(root) over \(wireProtocol == .http ? "HTTP/1.1" : "the raw protocol")")
            }
            let signals = onTerminationSignals { server.stop() }
            defer { signals.forEach { $0.cancel() } }
            let summary = await server.run()
            if json { output.write(ServerSummaryReport.json(summary)) } else { printError(ServerSummaryReport.text(summary, bytesWere: "sent")) }
        }
    }
}
