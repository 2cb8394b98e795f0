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
            abstract: "Watch ARP and IPv6 Neighbor Discovery on a wire, decoded exactly.",
            discussion: """
                Captures ARP, RARP and NDP (ICMPv6 types 133-137, also inside 802.1Q/QinQ tags) \
                through libpcap, live or from a pcap/pcapng file, and prints one line per packet: \
                who-has / is-at, probes and announcements (RFC 5227), DAD, unsolicited NA, router \
                advertisements with their prefixes, and every RFC 4861 validity problem (hop \
                limit, checksum, options). --table keeps the IP-to-MAC table it learns; --alerts \
                reports new stations, changed MACs, duplicate addresses, gratuitous ARP and \
                unexpected routers, as arpwatch and ndpmon do. Ctrl-C ends with a summary; \
                SIGUSR1 prints the table without stopping.

                Live capture needs root or CAP_NET_RAW.

                \(ExitHelp.local)

                Examples:
                  nettool capture --list-interfaces
                  sudo nettool capture -i eth0
                  sudo nettool capture -i any --ndp -v
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

        @Flag(help: "Only ARP and RARP.")
        var arp = false

        @Flag(help: "Only Neighbor Discovery (ICMPv6 133-137).")
        var ndp = false

        @Option(help: "A BPF expression combined with the ARP/NDP filter by `and` (tcpdump syntax).")
        var filter: String?

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

        @Option(help: ArgumentHelp("Keep at most this many addresses in the neighbour table; past it the least recently seen are "
                                   + "dropped, with one alert.", valueName: "n"))
        var tableLimit = NeighborWatch.defaultLimit

        @Option(help: "A router expected to send advertisements (address or MAC); repeatable. Others raise an alert.")
        var router: [String] = []

        @Flag(name: .shortAndLong, help: "No per-packet lines (for --table, --alerts or -w).")
        var quiet = false

        func validate() throws {
            if read != nil && interface != nil { throw ValidationError("-r reads a file and -i captures live: give one of them") }
            if let count, count < 1 { throw ValidationError("-c/--count must be at least 1") }
            if arp && ndp { throw ValidationError("--arp and --ndp each narrow to one protocol; leave both out for both") }
            if !(1...262_144).contains(snaplen) { throw ValidationError("--snaplen must be 1-262144") }
            if json && verbose { throw ValidationError("--json already carries every field; drop -v") }
            for text in router where RouterIdentity(text) == nil {
                throw ValidationError("--router takes an IP address or a MAC (aa:bb:cc:dd:ee:ff); got '\(TerminalText.escape(text))'")
            }
            if print && write == nil { throw ValidationError("--print goes with -w") }
            if tableLimit < 1 { throw ValidationError("--table-limit must be 1 or more") }
        }

        func run() async throws {
            if listInterfaces {
                let interfaces = try CaptureInterface.all()
                return OutputStream.write(json ? CaptureInterface.json(interfaces) : Array(CaptureInterface.table(interfaces).utf8))
            }
            try await capture()
        }

        private func capture() async throws {
            var request = CaptureRequest(file: read, interface: interface)
            request.snapshotLength = Int32(snaplen)
            request.promiscuous = promiscuous
            request.protocols = arp ? .arp : ndp ? .ndp : .arpAndNDP
            request.filter = filter
            request.writePath = write
            request.format = quiet || (write != nil && !print) ? .none : json ? .json : .text(verbose: verbose)
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
