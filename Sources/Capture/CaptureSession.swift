import Dispatch
import Flows
import HostState
import Neighbors
import Packets
import ProcessIO
import Rendering
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What `capture` was asked for, as parsed from its options.
public struct CaptureRequest: Sendable {
    /// A pcap/pcapng file to read (`-` for stdin); nil for a live capture.
    public var file: String?
    /// The live interface; nil for the default one (as tcpdump picks it).
    public var interface: String?
    public var snapshotLength: Int32 = 262_144
    public var promiscuous = false
    public var protocols = CaptureFilter.Protocols.arpAndNDP
    /// The user's own BPF expression, combined with the protocol filter by `and`.
    public var filter: String?
    /// -w: where to save the raw packets.
    public var writePath: String?
    public var format = FrameProcessor.Format.text(verbose: false)
    public var json = false
    public var alerts = false
    public var table = false
    public var routers: [RouterIdentity] = []
    /// The most addresses the neighbour table keeps (--table-limit).
    public var tableLimit = NeighborWatch.defaultLimit
    public var count: Int?
    public var duration: Duration?
    /// TCP sequence numbers as on the wire, and no analysis (the stateless, parallel path).
    public var absoluteSequence = false
    /// --conversations: one line per TCP connection at the end and on SIGUSR1.
    public var conversations = false

    public init(file: String?, interface: String?) {
        self.file = file
        self.interface = interface
    }
}

/// Runs `capture`'s read loop on a thread of its own (libpcap blocks), writes what the
/// processor renders to stdout (alerts and the text summary to stderr), with the flush policy:
/// live lines at once, a file's in large blocks, a packet's line before the alerts it raised.
/// Ends on --count, --duration, end of file or `stop()`, then prints the table and summary.
public final class CaptureSession: @unchecked Sendable {
    public struct Settings {
        public var interface: String?
        public var live: Bool
        public var count: Int?
        public var duration: Duration?
        public var json: Bool
        public var alerts: Bool
        public var table: Bool
        public var vendors: VendorDirectory

        public init(interface: String?, live: Bool, count: Int?, duration: Duration?, json: Bool, alerts: Bool, table: Bool,
                    vendors: VendorDirectory) {
            self.interface = interface
            self.live = live
            self.count = count
            self.duration = duration
            self.json = json
            self.alerts = alerts
            self.table = table
            self.vendors = vendors
        }
    }

    // Owned by the loop thread once `run()` starts; signal handlers touch only the atomics
    // and `handle.breakLoop()`.
    private let handle: PcapHandle
    private let writer: PcapWriter?
    private var processor: FrameProcessor
    private let settings: Settings
    private let stopRequested = Atomic<Bool>(false)
    private let tableRequested = Atomic<Bool>(false)

    /// What to say once the capture is ready (live only): the interface, link type and file.
    private var banner: String?
    /// --conversations: printed at the end and on SIGUSR1.
    private var conversations = false
    /// No selector and no filter: ARP and NDP only, which the banner and summary say.
    private var defaultSelection = false
    static let defaultSelectionNote = " (ARP and NDP only: --ip, --tcp, --udp, --icmp or a filter for more)"

    /// Opens what `request` names (a file, or a live interface), sets the filters, opens the
    /// -w file and builds the processor. `warn` hears what is worth a warning line.
    public static func open(_ request: CaptureRequest, warn: (String) -> Void) throws(CaptureError) -> CaptureSession {
        let handle: PcapHandle
        let interfaceName: String?
        if let file = request.file {
            handle = try PcapHandle.offline(path: file)
            interfaceName = nil
        } else {
            let name: String
            if let interface = request.interface { name = interface } else { name = try CaptureInterface.defaultName() }
            var options = LiveOptions(interface: name)
            options.snapshotLength = request.snapshotLength
            options.promiscuous = request.promiscuous
            handle = try PcapHandle.live(options)
            interfaceName = name == "any" ? nil : name
        }
        handle.warnings.forEach { warn("warning: \($0)") }
        let linkType = handle.linkType
        // Checked alone first, so a mistake is reported in the user's own words.
        if let filter = request.filter { try handle.setFilter(filter) }
        if linkType.isSupported {
            try handle.setFilter(CaptureFilter.expression(request.protocols, linkType: linkType, user: request.filter))
        } else {
            warn("link type \(handle.linkTypeName) (\(linkType.dlt)) is not supported: packets are counted, not decoded")
        }
        let writer = try request.writePath.map { path throws(CaptureError) in try handle.writer(path: path) }
        let learns = request.table || request.alerts
        var ladder = false
        if case .ladder = request.format { ladder = true }
        // Relative numbers and analysis need each connection followed (and packets in order, on one
        // thread); not when no TCP can pass the filter (ARP/NDP by default), nor with --absolute-seq.
        let protocols = request.protocols
        let mayCarryTCP = protocols.isEmpty || protocols.contains(.tcp) || protocols.contains(.ip)
        let tracks = request.conversations || ladder || (mayCarryTCP && !request.absoluteSequence)
        let session = CaptureSession(
            handle: handle, writer: writer,
            processor: FrameProcessor(linkType: linkType, format: request.format, learns: learns, expectedRouters: request.routers,
                                      tableLimit: request.tableLimit,
                                      tracker: tracks ? TCPTracker(limit: request.tableLimit, absolute: request.absoluteSequence) : nil),
            settings: Settings(interface: interfaceName, live: request.file == nil, count: request.count, duration: request.duration,
                               json: request.json, alerts: request.alerts, table: request.table,
                               vendors: learns ? VendorDirectory.load() : VendorDirectory()))
        session.conversations = request.conversations
        session.defaultSelection = request.protocols == .arpAndNDP && (request.filter ?? "").isEmpty
        if request.file == nil {
            session.banner = "capturing on \(request.interface ?? interfaceName ?? "any"), link type \(handle.linkTypeName)"
                + (request.writePath.map { ", writing \($0)" } ?? "") + (session.defaultSelection ? Self.defaultSelectionNote : "")
        }
        return session
    }

    init(handle: PcapHandle, writer: PcapWriter?, processor: FrameProcessor, settings: Settings) {
        self.handle = handle
        self.writer = writer
        self.processor = processor
        self.settings = settings
    }

    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        handle.breakLoop()
    }

    /// Captures until --count, --duration, the end of the file, or Ctrl-C/SIGTERM; SIGUSR1
    /// prints the table meanwhile. The banner goes to stderr once the signals are handled, so a
    /// person (or a test) waiting to make traffic knows the capture is ready.
    public func run() async throws(CaptureError) {
        let signals = onTerminationSignals { self.stop() }
            + [onSignal(SIGUSR1) { self.tableRequested.store(true, ordering: .relaxed) }]
        defer { signals.forEach { $0.cancel() } }
        if let banner { printError(banner) }
        let result: Result<Void, CaptureError> = await withCheckedContinuation { continuation in
            // A queue of its own, so the blocking reads never hold a Swift concurrency thread.
            DispatchQueue(label: "nettool.capture").async {
                continuation.resume(returning: Result { () throws(CaptureError) in try self.loop() })
            }
        }
        try result.get()
    }

    /// Lanes to decode a file in: two per core when there is more than one core and nothing is
    /// learnt across packets (the neighbour table must see them in order). Two per core, so the
    /// lane that shares its core with the reading thread does not hold up each round.
    private var decodeLanes: Int? {
        let cores = min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return !settings.live && !processor.isStateful && cores > 1 ? cores * 2 : nil
    }

    private func loop() throws(CaptureError) {
        if let lanes = decodeLanes { return try parallelLoop(lanes: lanes) }
        var out = OutputStream.standardOutput()
        var line = JSONLine(capacity: 1 << 16)
        let deadline = settings.duration.map { ContinuousClock.now + $0 }
        var names: [UInt32: String] = [:]
        let resolve: (UInt32) -> String? = { index in
            if let name = names[index] { return name }
            let name = CaptureInterface.name(index: index)
            names[index] = name
            return name
        }
        defer {
            writer?.close()
            line.withBytes { out.write($0) }
            finish(&out, counts: processor.counts)
        }
        while !stopRequested.load(ordering: .relaxed) {
            if let deadline, ContinuousClock.now >= deadline { break }
            if tableRequested.exchange(false, ordering: .relaxed) { printReports(&out) }
            switch try handle.next() {
            case .packet(let packet):
                writer?.write(packet)
                // Live, each packet reaches the file at once (tcpdump's -U), so a kill loses nothing written.
                if settings.live { writer?.flush() }
                let alerts = processor.process(packet.bytes, originalLength: packet.originalLength, time: packet.time,
                                               interface: settings.interface, interfaceName: resolve, to: &line)
                // Live lines go out as they happen; a file's output is written in large blocks,
                // except that a packet's line goes out before the alerts (on stderr) it raised.
                let alertsToPrint = settings.alerts && !alerts.isEmpty
                if settings.live || line.count >= 1 << 16 || (alertsToPrint && !settings.json) {
                    line.withBytes { out.write($0) }
                    line.reset()
                    out.flush()
                }
                if alertsToPrint { report(alerts, &line) }
                if processor.tcpTableJustFilled { reportTCPTableFull(&line) }
                if let count = settings.count, processor.counts.seen >= count { return }
            case .timeout:
                continue
            case .endOfFile, .interrupted:
                return
            }
        }
    }

    /// A file decoded on several cores, printed in order (`ParallelDecoder`).
    private func parallelLoop(lanes: Int) throws(CaptureError) {
        var out = OutputStream.standardOutput()
        let decoder = ParallelDecoder(lanes: lanes, processor: processor, interface: settings.interface)
        let deadline = settings.duration.map { ContinuousClock.now + $0 }
        var read = 0
        defer {
            writer?.close()
            finish(&out, counts: decoder.counts)
        }
        try decoder.run(next: { () throws(CaptureError) -> CapturedPacket? in
            while !stopRequested.load(ordering: .relaxed) {
                if let count = settings.count, read >= count { return nil }
                if let deadline, ContinuousClock.now >= deadline { return nil }
                switch try handle.next() {
                case .packet(let packet):
                    writer?.write(packet)
                    read += 1
                    return packet
                case .timeout:
                    continue
                case .endOfFile, .interrupted:
                    return nil
                }
            }
            return nil
        }, write: { out.write($0) })
    }

    private func report(_ alerts: [Alert], _ line: inout JSONLine) {
        for alert in alerts {
            if settings.json {
                NeighborReport.json(alert, vendors: settings.vendors).withUnsafeBufferPointer { line.text(bytes: $0) }
            } else {
                printError(NeighborReport.text(alert))
            }
        }
    }

    /// Once per run: the TCP table reached --table-limit and drops the least recently seen.
    private func reportTCPTableFull(_ line: inout JSONLine) {
        let limit = processor.tracker?.limit ?? 0
        let message = "the TCP connection table is full at \(grouped(limit)) connections (--table-limit): the least recently "
            + "seen are dropped from now on, and counted in the summary"
        if settings.json {
            JSONLine.record("alert") { json in
                json.field("alert", "tcp-table-full")
                json.field("limit", limit)
                json.field("message", message)
            }.withUnsafeBufferPointer { line.text(bytes: $0) }
        } else {
            printError("alert: " + message)
        }
    }

    /// SIGUSR1: the neighbour table when it is kept, the conversations when asked for.
    private func printReports(_ out: inout OutputStream) {
        if processor.learns { printTable(&out) }
        if conversations { printConversations(&out) }
    }

    private func printConversations(_ out: inout OutputStream) {
        guard let tracker = processor.tracker else { return }
        if settings.json {
            var line = JSONLine()
            for connection in tracker.connections { ConversationReport.json(connection, to: &line) }
            out.write(line.bytes)
        } else {
            out.write(Array(ConversationReport.text(tracker.connections, evicted: tracker.evicted).utf8))
        }
        out.flush()
    }

    private func printTable(_ out: inout OutputStream) {
        let entries = processor.watch.entries
        if settings.json {
            out.write(NeighborReport.json(entries, vendors: settings.vendors))
        } else {
            out.write(NeighborReport.text(entries, vendors: settings.vendors))
        }
        out.flush()
    }

    /// Remaining output, the table, and the summary: packets seen, decoded, malformed, and
    /// what the kernel dropped.
    private func finish(_ out: inout OutputStream, counts: FrameProcessor.Counts) {
        if settings.table { printTable(&out) }
        if conversations { printConversations(&out) }
        let stats = handle.statistics()
        if settings.json {
            var line = JSONLine()
            line.beginObject()
            line.record("summary")
            line.field("packets", counts.seen)
            line.field("arp", counts.arp)
            line.field("ndp", counts.ndp)
            line.field("tcp", counts.tcp)
            line.field("udp", counts.udp)
            line.field("icmp", counts.icmp)
            line.field("other_ip", counts.otherIP)
            line.field("other", counts.other)
            line.field("malformed", counts.malformed)
            line.key("dropped_by_kernel")
            if let stats { line.int(stats.droppedByKernel) } else { line.null() }
            line.key("dropped_by_interface")
            if let stats { line.int(stats.droppedByInterface) } else { line.null() }
            if processor.learns {
                line.field("table_entries", processor.watch.count)
                line.field("table_evicted", processor.watch.evicted)
            }
            if let tracker = processor.tracker {
                line.field("tcp_connections", tracker.connections.count)
                line.field("tcp_evicted", tracker.evicted)
            }
            line.endObject()
            line.endLine()
            out.write(line.bytes)
            out.flush()
        } else {
            out.flush()
            let kinds = [("ARP", counts.arp), ("NDP", counts.ndp), ("TCP", counts.tcp), ("UDP", counts.udp), ("ICMP", counts.icmp),
                         ("other IP", counts.otherIP)]
            // ARP and NDP are always named (the default capture); the rest when seen.
            let named = kinds.enumerated().filter { $0.offset < 2 || $0.element.1 > 0 }.map { "\(grouped($0.element.1)) \($0.element.0)" }
            // Packets the filter passed: with no selector, only ARP and NDP reach this count.
            var summary = "\(grouped(counts.seen)) packet\(counts.seen == 1 ? "" : "s") seen, \(grouped(counts.decoded)) decoded "
                + "(\(named.joined(separator: ", "))), \(grouped(counts.malformed)) malformed"
            if counts.other > 0 { summary += ", \(grouped(counts.other)) other" }
            if let stats { summary += ", \(stats.droppedByKernel) dropped by the kernel" }
            if processor.watch.evicted > 0 {
                summary += "; the neighbour table holds \(grouped(processor.watch.count)), \(grouped(processor.watch.evicted)) evicted (--table-limit)"
            }
            printError(summary + (defaultSelection && !settings.live ? Self.defaultSelectionNote : ""))
        }
    }
}

extension VendorDirectory {
    /// The vendors in Debian's ieee-data, or none when it is not installed.
    static func load() -> VendorDirectory {
        readSmallFile(debianPath).map(VendorDirectory.init(ouiText:)) ?? VendorDirectory()
    }
}
