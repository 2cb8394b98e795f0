import ArgumentParser
import Endpoints
import Capture
import Neighbors
import Packets
import Rendering
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct Capture: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Watch packets on a wire, decoded exactly: ARP and Neighbor Discovery, IP, TCP, UDP and ICMP.",
            discussion: """
                Captures through libpcap, live or from a pcap/pcapng file, and prints one line per \
                packet. What it captures: ARP, RARP and NDP (ICMPv6 types 133-137, also inside \
                802.1Q/QinQ tags) when no selector and no filter are given; --tcp, --udp, --icmp \
                and --ip select those (combine them, with or without --arp/--ndp); a BPF filter \
                alone (`capture -i lo 'tcp port 7007'` or --filter) captures what it matches, as \
                tcpdump does, and narrows the selectors when both are given.

                ARP and NDP lines say who-has / is-at, probes and announcements (RFC 5227), DAD, \
                unsolicited NA, router advertisements with their prefixes, and every RFC 4861 \
                validity problem (hop limit, checksum, options). IP lines have tcpdump's shape: \
                `IP 127.0.0.1.41234 > 127.0.0.1.7007: Flags [S], seq 0, win 65495, options [mss \
                65495,...], length 0`; ICMP errors name the datagram they quote; -v shows every \
                header field and whether each checksum is right (a locally sent packet's transport \
                checksum is often left to the network card, so it can look wrong in a capture).

                TCP sequence numbers are relative to each side's initial number, as tcpdump and \
                tshark show them (--absolute-seq for the raw ones), and each segment carries what \
                tshark's analysis would mark: retransmission, fast or spurious retransmission, out \
                of order, previous segment not captured, duplicate ACK, zero window, window full, \
                window update, keep-alive. --ladder draws each connection as the sequence diagram \
                of a textbook, with each side's state (SYN_SENT ... ESTABLISHED ... FIN_WAIT_1 ... \
                TIME_WAIT) as it changes; --conversations sums each connection up.

                --table keeps the IP-to-MAC table it learns; --alerts reports new stations, changed \
                MACs, duplicate addresses, gratuitous ARP and unexpected routers, as arpwatch and \
                ndpmon do. Ctrl-C ends with a summary; SIGUSR1 prints the table without stopping.

                Live capture needs root or CAP_NET_RAW.

                \(ExitHelp.local)

                Examples:
                  nettool capture --list-interfaces
                  sudo nettool capture -i eth0
                  sudo nettool capture -i any --ndp -v
                  sudo nettool capture -i lo 'tcp port 7007'
                  sudo nettool capture -i lo --tcp --udp --json
                  sudo nettool capture -i lo --ladder 'tcp port 7007'
                  nettool capture -r web.pcap --tcp --conversations -q
                  sudo nettool capture -i eth0 --alerts --table --router fe80::1
                  sudo nettool capture -i eth0 -c 100 -w arp.pcap
                  nettool capture -r arp.pcap --json
                """,
            version: Nettool.versionText
        )

        @Option(name: .shortAndLong, help: "Interface to capture on; `any` for all (default: the first up, non-loopback one).")
        var interface: String?

        @Flag(help: "List the interfaces that can be captured on, with addresses and flags, then exit.")
        var listInterfaces = false

        @Option(name: [.customShort("r"), .customLong("read")], help: "Read packets from a pcap or pcapng file (- for stdin) instead of an interface.")
        var read: String?

        @Option(name: [.customShort("w"), .customLong("write")], help: "Write the captured packets to this pcap file (readable by tcpdump and Wireshark).")
        var write: String?

        @Flag(help: "With -w, also print each packet.")
        var print = false

        @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after this many packets.")
        var count: Int?

        @Option(help: "Stop after this long (e.g. 10s, 500ms).")
        var duration: DurationArgument?

        @Flag(help: "ARP and RARP.")
        var arp = false

        @Flag(help: "Neighbor Discovery (ICMPv6 133-137).")
        var ndp = false

        @Flag(help: "TCP segments, over IPv4 and IPv6.")
        var tcp = false

        @Flag(help: "UDP datagrams.")
        var udp = false

        @Flag(help: "ICMP and ICMPv6 messages.")
        var icmp = false

        @Flag(help: "Every IPv4 and IPv6 packet.")
        var ip = false

        @Option(help: "A BPF expression (tcpdump syntax): alone it selects what to capture; with selectors it narrows them.")
        var filter: String?

        @Argument(help: ArgumentHelp("The BPF expression, as tcpdump takes it (the same as --filter).", valueName: "expression"))
        var expression: [String] = []

        @Flag(help: "Put the interface in promiscuous mode.")
        var promiscuous = false

        @Option(help: "Bytes kept per packet.")
        var snaplen: Int = 262_144

        @Flag(name: .shortAndLong, help: "Show every header and option field under each packet.")
        var verbose = false

        @Flag(help: "JSON Lines: one object per packet; alerts, table and summary as objects too.")
        var json = false

        @Flag(help: "Print the neighbour table (IP, MAC, vendor, first/last seen, packets) at the end and on SIGUSR1.")
        var table = false

        @Flag(help: "Report new stations, changed MACs, duplicate addresses, gratuitous ARP and unexpected routers.")
        var alerts = false

        @Option(help: ArgumentHelp("Keep at most this many addresses in the neighbour table, and this many TCP connections; past it "
                                   + "the least recently seen are dropped (one alert for the table, a count in the summary).", valueName: "n"))
        var tableLimit = NeighborWatch.defaultLimit

        @Option(help: "A router expected to send advertisements (address or MAC); repeatable. Others raise an alert.")
        var router: [String] = []

        @Flag(help: "TCP sequence and acknowledgment numbers as on the wire, not relative to each side's first (no TCP analysis either).")
        var absoluteSeq = false

        @Flag(help: "At the end (and on SIGUSR1), one line per TCP connection: endpoints, duration, packets and bytes each way, handshake RTT, retransmissions, who closed first, how it ended.")
        var conversations = false

        @Flag(help: "Draw each TCP connection as a sequence diagram: client left, server right, one arrow per segment, each side's state as it changes, the handshake and the close explained.")
        var ladder = false

        @Flag(name: .shortAndLong, help: "No per-packet lines (for --table, --alerts, --conversations or -w).")
        var quiet = false

        func validate() throws {
            if read != nil && interface != nil { throw ValidationError("-r reads a file and -i captures live: give one of them") }
            if let count, count < 1 { throw ValidationError("-c/--count must be at least 1") }
            if filter != nil && !expression.isEmpty { throw ValidationError("give the filter once: as --filter or as the trailing expression") }
            if !(1...262_144).contains(snaplen) { throw ValidationError("--snaplen must be 1-262144") }
            if json && verbose { throw ValidationError("--json already carries every field; drop -v") }
            for text in router where RouterIdentity(text) == nil {
                throw ValidationError("--router takes an IP address or a MAC (aa:bb:cc:dd:ee:ff); got '\(TerminalText.escape(text))'")
            }
            if print && write == nil { throw ValidationError("--print goes with -w") }
            if tableLimit < 1 { throw ValidationError("--table-limit must be 1 or more") }
            if ladder && (verbose || quiet) { throw ValidationError("--ladder draws its own rows: drop -v and -q") }
            if ladder && absoluteSeq { throw ValidationError("--ladder numbers each side from 0, as textbooks do: drop --absolute-seq") }
        }

        func run() async throws {
            if listInterfaces {
                let interfaces = try CaptureInterface.all()
                return OutputStream.write(json ? CaptureInterface.json(interfaces) : Array(CaptureInterface.table(interfaces).utf8))
            }
            try await capture()
        }

        /// The selectors given; with none, ARP and NDP (TCP for --ladder and --conversations) unless
        /// a filter alone says what to capture.
        private var protocols: CaptureFilter.Protocols {
            let chosen: [(Bool, CaptureFilter.Protocols)] = [(arp, .arp), (ndp, .ndp), (tcp, .tcp), (udp, .udp), (icmp, .icmp), (ip, .ip)]
            let selected = chosen.reduce(into: CaptureFilter.Protocols()) { if $1.0 { $0.insert($1.1) } }
            let hasFilter = filter.map { !$0.isEmpty } ?? !expression.isEmpty
            guard selected.isEmpty && !hasFilter else { return selected }
            // --ladder and --conversations are about TCP: they select it when nothing else is.
            return ladder || conversations ? .tcp : .arpAndNDP
        }

        private func capture() async throws {
            var request = CaptureRequest(file: read, interface: interface)
            request.snapshotLength = Int32(snaplen)
            request.promiscuous = promiscuous
            request.protocols = protocols
            request.filter = filter ?? (expression.isEmpty ? nil : expression.joined(separator: " "))
            request.writePath = write
            request.format = quiet || (write != nil && !print) ? .none : ladder ? .ladder(json: json) : json ? .json : .text(verbose: verbose)
            request.absoluteSequence = absoluteSeq
            request.conversations = conversations
            request.json = json
            request.alerts = alerts
            request.table = table
            request.routers = router.compactMap(RouterIdentity.init)
            request.tableLimit = tableLimit
            request.count = count
            request.duration = duration?.value
            let session = try CaptureSession.open(request) { printError("nettool: \($0)") }
            try await session.run()
        }
    }
}
