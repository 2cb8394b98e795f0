import Addresses
import ArgumentParser
import Datagrams
import Endpoints
import Rendering
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct UDPSend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udp-send",
            abstract: "Send UDP datagrams to HOST PORT, and optionally wait for replies.",
            discussion: """
                The payload is MESSAGE, else --file, else stdin (the whole input as one datagram, or one \
                datagram per line with --lines); --hex reads it as hex (de ad be ef, deadbeef), --size N \
                generates N bytes. The socket is connected to HOST PORT, so an ICMP port unreachable \
                comes back as "connection refused" instead of silence.

                Sent as fast as it goes (no --interval, --rate max or none), copies of one payload go to the kernel up \
                to 64 at a time with UDP generic segmentation offload (UDP_SEGMENT): the receiver still \
                gets separate datagrams, but tcpdump on this host shows each group as one large packet. \
                --no-gso sends them one by one.

                \(ExitStatus.helpText)

                Examples:
                  nettool udp-send 127.0.0.1 9999 hello
                  echo -n 'de ad be ef' | nettool udp-send --hex ::1 9999
                  nettool udp-send localhost 9999 ping --wait-reply --timeout 1s
                  nettool udp-send 127.0.0.1 9999 --size 1400 --count 100000 --rate max
                """,
            version: Nettool.versionText
        )

        @Argument(help: "Destination: an IPv4/IPv6 address or a host name.")
        var host: String

        @Argument(help: "Destination port (1-65535).")
        var port: Int

        @Argument(help: "The payload (default: --file, or stdin).")
        var message: String?

        @Flag(name: .customShort("4"), help: "Use IPv4 only.")
        var ipv4 = false

        @Flag(name: .customShort("6"), help: "Use IPv6 only.")
        var ipv6 = false

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

        @Option(help: "Wait this long between datagrams (e.g. 100ms).")
        var interval: DurationArgument?

        @Option(help: "Send at this many datagrams per second, or 'max' for as fast as possible.")
        var rate: String?

        @Option(help: "Send from this local port.")
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

        @Flag(help: "Do not print the summary.")
        var quiet = false

        @Flag(help: "JSON Lines: replies and the summary as objects.")
        var json = false

        @OptionGroup var explainOption: ExplainOption

        func validate() throws {
            guard (1...65535).contains(port) else { throw ValidationError("port \(port) is out of range: a destination port is 1-65535") }
            try HostArgument.validate(host)
            if ipv4 && ipv6 { throw ValidationError("-4 and -6 exclude each other") }
            if count < 1 { throw ValidationError("--count must be at least 1") }
            if let size, size < 0 { throw ValidationError("--size must be 0 or more") }
            if interval != nil && rate != nil { throw ValidationError("--interval and --rate exclude each other") }
            if let rate, rate != "max", (Double(rate) ?? 0) <= 0 { throw ValidationError("--rate takes datagrams per second (e.g. 1000) or 'max'") }
            if let sourcePort, !(0...65535).contains(sourcePort) { throw ValidationError("--source-port \(sourcePort) is out of range 0-65535") }
            if let bind, IPAddress(bind) == nil { throw ValidationError("--bind takes an IP address of this host; got '\(bind)'") }
            if message != nil && file != nil { throw ValidationError("give the payload either as MESSAGE or with --file, not both") }
            if let ttl, !(1...255).contains(ttl) {
                throw ValidationError("--ttl \(ttl) is out of range: 1-255 hops (a datagram with TTL 0 could not leave this host)")
            }
            if let multicastTTL, !(0...255).contains(multicastTTL) {
                throw ValidationError("--multicast-ttl \(multicastTTL) is out of range: 0-255 (0 keeps it on this host, 1 on this link)")
            }
            if let file {
                var status = stat()
                guard stat(file, &status) == 0 else { throw ValidationError("--file \(file): \(String(cString: strerror(errno)))") }
                if status.st_mode & S_IFMT == S_IFDIR { throw ValidationError("--file \(file) is a folder; give a file whose bytes are the payload") }
            }
            if size != nil && (message != nil || file != nil || hex) { throw ValidationError("--size generates the payload; it excludes MESSAGE, --file and --hex") }
        }

        func run() async throws {
            var options = UDPSendOptions()
            options.host = host
            options.port = port
            options.family = ipv4 ? .v4 : ipv6 ? .v6 : .any
            options.bindHost = bind
            options.sourcePort = sourcePort
            if let interval { options.interval = interval.value }
            if let rate, rate != "max", let perSecond = Double(rate) { options.interval = .nanoseconds(Int64(1e9 / perSecond)) }
            options.broadcast = broadcast
            options.ttl = ttl
            options.multicastTTL = multicastTTL
            options.multicastInterface = multicastInterface
            options.waitReply = waitReply
            options.segmentation = !noGso
            if let timeout { options.timeout = timeout.value }

            let plan: PayloadPlan
            do {
                plan = try payloadPlan()
            } catch let error as UDPError {
                throw fail(error)
            }
            var output = OutputStream.standardOutput()
            do {
                let summary = try await UDPSender.run(options, plan: plan, narrator: explainOption.narrator) { reply in
                    if json { output.write(DatagramReport.json(reply, event: "reply")) } else {
                        output.write(DatagramReport.payload(reply.bytes, forceHex: false) + "\n")
                    }
                    output.flush()
                }
                if !quiet {
                    if json { output.write(DatagramReport.json(summary)) } else { printError(DatagramReport.text(summary)) }
                }
                output.flush()
            } catch {
                output.flush()
                throw fail(error)
            }
        }

        private func payloadPlan() throws -> PayloadPlan {
            let count = self.count
            if let size {
                return PayloadPlan(payloads: [Payload.generated(size: size)], repeats: count)
            }
            let raw: [UInt8]
            if let message {
                raw = Array(message.utf8)
            } else if let file {
                guard let contents = readAll(path: file) else {
                    throw UDPError.io("cannot read \(file): \(String(cString: strerror(errno)))")
                }
                raw = contents
            } else {
                guard let input = readAll(fd: 0) else { throw UDPError.io("cannot read stdin: \(String(cString: strerror(errno)))") }
                raw = input
            }
            var payloads: [[UInt8]]
            if lines && message == nil {
                payloads = raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                if payloads.last?.isEmpty == true { payloads.removeLast() }
            } else {
                payloads = [raw]
            }
            if hex { payloads = try payloads.map { try Payload.parseHex(String(decoding: $0, as: UTF8.self)) } }
            return PayloadPlan(payloads: payloads, repeats: count)
        }
    }
}
