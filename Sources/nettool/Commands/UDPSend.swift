import ArgumentParser
import Datagrams
import Endpoints
import ProcessIO
import Rendering

extension Nettool {
    struct UDPSend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udp-send",
            abstract: "Send UDP datagrams to HOST PORT, and optionally wait for replies.",
            discussion: """
                The payload is MESSAGE, else --file, else stdin (the whole input as one datagram, or one \
                datagram per line with --lines); --hex reads it as hex (de ad be ef, deadbeef), --size N \
                generates N bytes. The socket is connected to HOST PORT, so an ICMP port unreachable \
                comes back as "connection refused" instead of silence: each one is reported with the \
                datagram it came after, and the run exits 4. The socket stays open 100 ms after the last \
                datagram (without --wait-reply; with it, until the last reply) so that a refusal of the \
                last one is still heard; the time in the summary leaves that out.

                Sent as fast as it goes (no --interval, --rate max or none), copies of one payload go to the kernel up \
                to 64 at a time with UDP generic segmentation offload (UDP_SEGMENT): the receiver still \
                gets separate datagrams, but tcpdump on this host shows each group as one large packet. \
                --no-gso sends them one by one.

                \(ExitHelp.text(.success, .failure, .usage, .resolution, .refused, .timedOut, .unreachable))

                Examples:
                  nettool udp-send 127.0.0.1 9999 hello
                  echo -n 'de ad be ef' | nettool udp-send --hex ::1 9999
                  nettool udp-send localhost 9999 ping --wait-reply --timeout 1s
                  nettool udp-send 127.0.0.1 9999 --size 1400 --count 100000 --rate max
                """,
            version: Nettool.versionText
        )

        @OptionGroup var remote: RemoteArguments

        @Argument(help: "The payload (default: --file, or stdin).")
        var message: String?

        @Flag(help: "With stdin: send each line as its own datagram.")
        var lines = false

        @Option(help: "Read the payload from this file.")
        var file: String?

        @Flag(help: "The payload is hex (deadbeef, de ad be ef, de:ad:be:ef).")
        var hex = false

        @Option(help: "Generate payloads of this many bytes instead of reading one.")
        var size: Int?

        @Option(help: "Send the payload this many times.")
        var count = 1

        @Flag(help: "Start each datagram with '#I/N ' (its number of N), so udp-recv --numbered can name the ones that never arrived.")
        var numbered = false

        @Option(help: "Wait this long between datagrams (e.g. 100ms).")
        var interval: DurationArgument?

        @Option(help: "Send at this many datagrams per second, or 'max' for as fast as possible.", transform: RateArgument.parse)
        var rate: RateArgument?

        @Option(help: "Send from this local port.", transform: PortArgument.local)
        var sourcePort: Int?

        @Option(help: "Send from this local address.")
        var bind: String?

        @Flag(help: "Allow sending to a broadcast address (sets SO_BROADCAST).")
        var broadcast = false

        @Option(help: "IP TTL / IPv6 hop limit of unicast datagrams.")
        var ttl: Int?

        @Option(help: "TTL / hop limit of multicast datagrams (default 1: this link only).")
        var multicastTTL: Int?

        @Option(help: "Interface to send multicast datagrams out of.")
        var multicastInterface: String?

        @Flag(help: "Never group datagrams with UDP generic segmentation offload (see above).")
        var noGso = false

        @Flag(help: "After each datagram, wait for a reply and print it.")
        var waitReply = false

        @Option(help: "How long --wait-reply waits (default 2s).")
        var timeout: DurationArgument?

        @OptionGroup var output: OutputArguments

        @OptionGroup var explainOption: ExplainOption

        @OptionGroup var wireOption: WireOption

        func validate() throws {
            if count < 1 { throw ValidationError("--count must be at least 1") }
            if numbered && count > 1_000_000 { throw ValidationError("--numbered sends at most 1,000,000 datagrams (each is made up front)") }
            if let size, size < 0 { throw ValidationError("--size must be 0 or more") }
            if interval != nil && rate != nil { throw ValidationError("--interval and --rate exclude each other") }
            if message != nil && file != nil { throw ValidationError("give the payload either as MESSAGE or with --file, not both") }
            if let file, let reason = unreadableFileReason(file) { throw ValidationError("--file \(TerminalText.escape(file)): \(reason)") }
            if size != nil && (message != nil || file != nil || hex) { throw ValidationError("--size generates the payload; it excludes MESSAGE, --file and --hex") }
            if let problem = options.problem { throw ValidationError(problem) }
        }

        private var options: UDPSendOptions {
            var options = UDPSendOptions()
            options.host = remote.host
            options.port = remote.port
            options.family = remote.family
            options.bindHost = bind
            options.sourcePort = sourcePort
            options.interval = rate.map(\.interval) ?? interval?.value
            options.broadcast = broadcast
            options.ttl = ttl
            options.multicastTTL = multicastTTL
            options.multicastInterface = multicastInterface
            options.waitReply = waitReply
            options.segmentation = !noGso
            if let timeout { options.timeout = timeout.value }
            return options
        }

        func run() async throws {
            let source: PayloadSource = size.map { .generated(size: $0) } ?? message.map { .text($0) } ?? file.map { .file($0) } ?? .standardInput
            let read = try PayloadPlan.read(source, lines: lines, hex: hex, repeats: count)
            let plan = numbered ? read.numbered() : read
            let json = output.json, quiet = output.quiet
            let tap = wireOption.start(.udp, host: remote.host, port: remote.port, family: remote.family, json: json, jsonToStdout: true,
                                       narrated: explainOption.explain)
            // udp-send narrates each send() once it is done: its datagram belongs below the line.
            let narrator = explainOption.narrator(syncing: tap, callFirst: false)
            let summary: SendSummary
            do {
                defer { tap?.finish() }  // an ICMP error may still be on its way
                summary = try await UDPSender.run(options, plan: plan, narrator: narrator, onPortUnreachable: { refusal in
                    if json {
                        OutputStream.write(DatagramReport.json(refusal, planned: plan.total))
                    } else if !quiet {
                        printError(DatagramReport.text(refusal, planned: plan.total))
                    }
                }, onReply: { reply in
                    OutputStream.write(json ? DatagramReport.json(reply, event: "reply") : Array((DatagramReport.payload(reply.bytes, forceHex: false) + "\n").utf8))
                })
            }
            output.result(json: DatagramReport.json(summary), text: DatagramReport.text(summary))
            if let failure = summary.failure { throw failure }
        }
    }
}
