import Addresses
import ArgumentParser
import Endpoints
import FileTransfer
import Rendering
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "download",
            abstract: "Download a file over HTTP/1.1 (resumable, verified) or the raw lesson protocol.",
            discussion: """
                SOURCE is http[s]://HOST[:PORT]/PATH (any HTTP/1.1 server; https verifies the server's certificate) or raw://HOST:PORT/NAME (the \
                file-server --protocol raw lesson). The file is written to PATH.part, synced, and renamed \
                only when complete and checked, so a half-written file never carries the final name. \
                -c resumes a .part with Range and If-Range: a file changed on the server since is \
                fetched anew, never spliced onto the old bytes. Failed transfers are retried, resuming \
                where they stopped. The SHA-256 is computed while downloading and checked against \
                --sha256 and the server's Repr-Digest; on a mismatch the .part is kept and the exit \
                status is 1.

                \(ExitHelp.tcpClient)

                A refusal is not retried; each retry is announced on stderr (attempt, delay, cause).

                Examples:
                  nettool download http://127.0.0.1:8080/big.iso
                  nettool download -c http://127.0.0.1:8080/big.iso -o /tmp/big.iso
                  nettool download raw://127.0.0.1:9000/notes.txt --explain
                  nettool download https://localhost:8443/big.iso --cacert cert.pem
                """,
            version: Nettool.versionText
        )

        @Argument(help: "http://HOST[:PORT]/PATH, https://HOST[:PORT]/PATH or raw://HOST:PORT/NAME")
        var source: String

        @Option(name: [.customShort("o"), .customLong("output")], help: "Save as this path (default: the source's file name, in this folder).")
        var saveAs: String?

        @Flag(name: [.customShort("c"), .customLong("continue")], help: "Resume PATH.part when the server still has the same version.")
        var resume = false

        @Option(help: "Retry a failed transfer this many times, resuming each time.")
        var retries = 3

        @Option(help: "Wait this long before each retry (default: 0.5 s, doubling up to 8 s).")
        var retryDelay: DurationArgument?

        @Option(help: "Follow at most this many redirects.")
        var maxRedirects = 5

        @Option(help: "Expected SHA-256 of the file (64 hex digits); a mismatch keeps the .part and exits 1.",
                transform: SHA256Argument.parse)
        var sha256: [UInt8]?

        @Option(help: ArgumentHelp("Stop, keeping nothing, once the file is larger than this (bytes, or with K, M, G: 500M).",
                                   valueName: "size"))
        var maxSize: ByteCountArgument?

        @Option(help: "How long the TCP handshake may take.")
        var connectTimeout = DurationArgument(.seconds(5))

        @Option(help: "Give up on (and retry) a transfer that receives nothing for this long.")
        var timeout = DurationArgument(.seconds(30))

        @Flag(help: "Show the progress bar even when stdout is not a terminal.")
        var progress = false

        @OptionGroup var tls: TLSClientArguments

        @Option(help: ArgumentHelp("Connect to ADDRESS for HOST:PORT, still sending and verifying HOST (as curl's --resolve); repeatable.",
                                   valueName: "host:port:address"))
        var resolve: [String] = []

        @Flag(help: "Follow a redirect from https:// to http:// (refused by default: it drops the encryption).")
        var allowDowngrade = false

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        @OptionGroup var wireOption: WireOption

        func validate() throws {
            do {
                _ = try DownloadOptions(source: source, saveAs: saveAs)
            } catch {
                throw ValidationError(error.description)
            }
            if retries < 0 || maxRedirects < 0 { throw ValidationError("--retries and --max-redirects must be 0 or more") }
            if connectTimeout.value <= .zero || timeout.value <= .zero { throw ValidationError("timeouts must be longer than 0") }
            _ = try resolveTable()
        }

        private func resolveTable() throws -> [String: IPAddress] {
            do {
                return try DownloadOptions.resolveTable(resolve)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            var options = try DownloadOptions(source: source, saveAs: saveAs)
            options.maxSize = maxSize?.bytes
            options.resume = resume
            options.retries = retries
            options.retryDelay = retryDelay?.value
            options.maxRedirects = maxRedirects
            options.connectTimeout = connectTimeout.value
            options.timeout = timeout.value
            options.expectedSHA256 = sha256
            options.tls = tls.options
            options.resolve = try resolveTable()
            options.allowDowngrade = allowDowngrade
            options.onRetry = { notice in printError("nettool: \(notice)") }
            // The bar goes to stderr, for a person watching: not when stdout is piped or redirected.
            let showBar = !output.quiet && (progress || (isatty(1) == 1 && isatty(2) == 1))
            let draw: @Sendable (DownloadProgress) -> Void = { progress in
                if showBar { redrawStatusLine(DownloadReport.progressLine(progress)) }
            }
            // The first connection (a redirect or a retry opens others, not followed).
            let tap = wireOption.start(.tcp, host: options.source.host, port: options.source.port,
                                       address: options.resolve["\(options.source.host):\(options.source.port)"], json: output.json,
                                       jsonToStdout: true, narrated: explainOption.explain)
            let result: DownloadResult
            do {
                defer { tap?.finish() }  // runs last: after the bar's line ends
                defer { if showBar { printError("") } }  // ends the bar's line before the result or the error
                result = try await Downloader.run(options, narrator: explainOption.narrator(syncing: tap, callFirst: true), progress: draw)
            }
            output.result(json: DownloadReport.json(result), text: DownloadReport.text(result))
        }
    }
}
