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

                \(ExitHelp.server)

                A server exits 0 after Ctrl-C/SIGTERM (in-flight transfers get --grace, then a summary).

                Examples:
                  nettool file-server --root ~/public --port 8080
                  nettool file-server --root . --port 9000 --protocol raw --explain
                """,
            version: Nettool.versionText
        )

        @Option(help: "The folder to serve.")
        var root: String

        @OptionGroup var listen: ListenArguments

        @Option(name: .customLong("protocol"), help: "http or raw (the lesson protocol).")
        var wireProtocol = FileServerOptions.WireProtocol.http

        @Flag(help: "Also serve hidden files and folders (names starting with a dot).")
        var showHidden = false

        @Option(help: "Close a connection that sends nothing, or not a whole request head, for this long.")
        var idleTimeout = DurationArgument(.seconds(30))

        @OptionGroup var tls: TLSServerArguments

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            if idleTimeout.value <= .zero { throw ValidationError("--idle-timeout must be longer than 0") }
            if tls.enabled && wireProtocol == .raw { throw ValidationError("TLS is for --protocol http (HTTPS); the raw lesson protocol is plain TCP") }
        }

        func run() async throws {
            var options = FileServerOptions()
            options.root = root
            let (listenOptions, tlsLine) = try listen.options(tls: tls)
            options.listen = listenOptions
            options.wireProtocol = wireProtocol
            options.showHidden = showHidden
            options.idleTimeout = idleTimeout.value

            let lines = SerialOutput()
            let quiet = output.quiet, json = output.json
            let server = try await FileTransfer.FileServer.bind(options, narrator: explainOption.narrator) { request in
                guard !quiet else { return }
                lines.write(json ? FileServerReport.json(request) : Array(FileServerReport.text(request).utf8))
            }
            if let tlsLine { printError(tlsLine) }
            await server.localEndpoint.serveUntilStopped(
                lines: lines, json: json,
                what: "serving \(root) over \(wireProtocol == .raw ? "the raw protocol" : tls.enabled ? "HTTPS (HTTP/1.1 over TLS)" : "HTTP/1.1")",
                protocolName: wireProtocol.rawValue, bytesWere: "sent", stop: server.stop, run: server.run)
        }
    }
}
