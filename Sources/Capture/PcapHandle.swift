import CPcap
import Packets
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One packet as libpcap delivered it. `bytes` points into libpcap's buffer and is valid only
/// until the next call to `next()`.
public struct CapturedPacket {
    public var time: Timestamp
    public var bytes: UnsafeRawBufferPointer
    /// The length on the wire; `bytes.count` is what the snapshot length let through.
    public var originalLength: Int
}

/// What live capture asks of libpcap.
public struct LiveOptions: Sendable {
    public var interface: String
    public var snapshotLength: Int32 = 262_144
    public var promiscuous = false
    /// How long `next()` may wait before reporting `.timeout`, so callers can check deadlines.
    public var readTimeoutMilliseconds: Int32 = 100

    public init(interface: String) { self.interface = interface }
}

/// A libpcap handle: live or reading a file. One owner at a time; only `breakLoop()` may be
/// called from another thread (a signal handler), as libpcap allows.
public final class PcapHandle: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Set by `breakLoop()`, so -2 from pcap_next_ex can be told apart from the end of a file.
    private let breakRequested = Atomic<Bool>(false)
    /// Live handles are non-blocking and waited on with poll(2): on Linux, libpcap's own read
    /// timeout does not fire while the wire is silent, and a capture must notice --duration
    /// and Ctrl-C even then.
    private var selectable: (fd: Int32, timeoutMilliseconds: Int32)?
    /// Warnings libpcap gave while opening (e.g. promiscuous mode not supported).
    public private(set) var warnings: [String] = []

    /// The interface or file, for messages.
    public let source: String

    private init(_ handle: OpaquePointer, source: String) {
        self.handle = handle
        self.source = source
    }

    deinit { pcap_close(handle) }

    /// Opens `options.interface` in immediate mode, so packets arrive as they happen rather
    /// than when a kernel buffer block fills.
    public static func live(_ options: LiveOptions) throws(CaptureError) -> PcapHandle {
        let name = options.interface
        if name != "any" {
            let available = try CaptureInterface.all().map(\.name)
            guard available.contains(name) else { throw .noSuchInterface(name, available: available) }
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let raw = pcap_create(name, &errorBuffer) else { throw .failed(text(errorBuffer)) }
        let capture = PcapHandle(raw, source: name)
        pcap_set_snaplen(raw, options.snapshotLength)
        pcap_set_promisc(raw, options.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(raw, 1)
        pcap_set_timeout(raw, options.readTimeoutMilliseconds)
        let status = pcap_activate(raw)
        if status < 0 {
            let detail = String(cString: pcap_geterr(raw))
            switch status {
            case PCAP_ERROR_PERM_DENIED: throw .permissionDenied(interface: name)
            case PCAP_ERROR_PROMISC_PERM_DENIED: throw .promiscuousDenied(name)
            case PCAP_ERROR_NO_SUCH_DEVICE: throw .noSuchInterface(name, available: (try? CaptureInterface.all().map(\.name)) ?? [])
            case PCAP_ERROR_IFACE_NOT_UP: throw .interfaceDown(name)
            default: throw .failed("cannot capture on \(name): \(String(cString: pcap_statustostr(status)))\(detail.isEmpty ? "" : ": \(detail)")")
            }
        }
        guard pcap_setnonblock(raw, 1, &errorBuffer) == 0 else { throw .failed(text(errorBuffer)) }
        capture.selectable = (pcap_get_selectable_fd(raw), options.readTimeoutMilliseconds)
        if status > 0 { capture.warnings.append("\(name): \(String(cString: pcap_statustostr(status)))") }
        // `any` gives Linux cooked v1 by default; v2 adds the interface index to each packet.
        if name == "any" { _ = pcap_set_datalink(raw, LinkType.linuxSLL2.dlt) }
        return capture
    }

    /// Opens a pcap or pcapng file (`-` reads standard input).
    public static func offline(path: String) throws(CaptureError) -> PcapHandle {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let raw = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_MICRO), &errorBuffer) else {
            throw .cannotReadFile(path: path, message: text(errorBuffer))
        }
        return PcapHandle(raw, source: path)
    }

    /// A handle with no source, for writing files of a given link type (tests, fixtures).
    public static func dead(linkType: LinkType, snapshotLength: Int32 = 262_144) -> PcapHandle {
        PcapHandle(pcap_open_dead(linkType.dlt, snapshotLength), source: "nothing")
    }

    public var linkType: LinkType { LinkType(dlt: pcap_datalink(handle)) }

    /// libpcap's name for the link type, e.g. `EN10MB`.
    public var linkTypeName: String {
        pcap_datalink_val_to_name(pcap_datalink(handle)).map { String(cString: $0) } ?? "\(pcap_datalink(handle))"
    }

    public func setFilter(_ expression: String) throws(CaptureError) {
        try withProgram(expression) { program throws(CaptureError) in
            guard pcap_setfilter(handle, &program) == 0 else {
                throw .badFilter(expression: expression, message: String(cString: pcap_geterr(handle)))
            }
        }
    }

    /// Compiles `expression` for this handle's link type, runs `body` with it, then frees it.
    private func withProgram<R>(_ expression: String,
                                _ body: (inout bpf_program) throws(CaptureError) -> R) throws(CaptureError) -> R {
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(expression: expression, message: String(cString: pcap_geterr(handle)))
        }
        defer { pcap_freecode(&program) }
        return try body(&program)
    }

    public enum NextResult {
        case packet(CapturedPacket)
        /// The read timeout passed with nothing (live only).
        case timeout
        case endOfFile
        /// `breakLoop()` was called.
        case interrupted
    }

    public func next() throws(CaptureError) -> NextResult {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            let h = header!.pointee
            return .packet(CapturedPacket(
                time: Timestamp(seconds: Int(h.ts.tv_sec), microseconds: Int(h.ts.tv_usec)),
                bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), originalLength: Int(h.len)))
        case 0:
            if let selectable {
                var descriptor = pollfd(fd: selectable.fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, selectable.timeoutMilliseconds)
            }
            return .timeout
        case PCAP_ERROR_BREAK:
            // libpcap returns -2 both at the end of a savefile and after pcap_breakloop.
            return breakRequested.load(ordering: .acquiring) ? .interrupted : .endOfFile
        case -1: throw .failed("capture on \(source) ended: \(String(cString: pcap_geterr(handle)))")
        default: return .endOfFile
        }
    }

    /// Makes `next()` return `.interrupted` (a file being read; a live capture also stops at
    /// its next poll timeout). Safe from a signal handler's thread.
    public func breakLoop() {
        breakRequested.store(true, ordering: .releasing)
        pcap_breakloop(handle)
    }

    public struct Statistics: Equatable, Sendable {
        /// Packets the kernel's filter passed.
        public var received: UInt32
        /// Dropped because the buffer was full (we did not read fast enough).
        public var droppedByKernel: UInt32
        /// Dropped by the interface or its driver.
        public var droppedByInterface: UInt32
    }

    /// Kernel counters; nil for files.
    public func statistics() -> Statistics? {
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return Statistics(received: stats.ps_recv, droppedByKernel: stats.ps_drop, droppedByInterface: stats.ps_ifdrop)
    }

    /// A pcap file writer with this handle's link type and snapshot length.
    public func writer(path: String) throws(CaptureError) -> PcapWriter {
        guard let dumper = pcap_dump_open(handle, path) else {
            throw .cannotWriteFile(path: path, message: String(cString: pcap_geterr(handle)))
        }
        return PcapWriter(dumper)
    }

    /// Runs the BPF `expression` on `bytes` as if captured; for tests of the filter itself.
    public func filterMatches(_ expression: String, _ bytes: [UInt8]) throws(CaptureError) -> Bool {
        try withProgram(expression) { program in
            var header = pcap_pkthdr()
            header.caplen = UInt32(bytes.count)
            header.len = UInt32(bytes.count)
            return bytes.withUnsafeBufferPointer { pcap_offline_filter(&program, &header, $0.baseAddress) != 0 }
        }
    }
}

/// Writes packets to a classic pcap file that tcpdump and Wireshark read.
public final class PcapWriter {
    private var dumper: OpaquePointer?

    init(_ dumper: OpaquePointer) { self.dumper = dumper }

    deinit { close() }

    public func write(_ packet: CapturedPacket) {
        guard let dumper else { return }
        var header = pcap_pkthdr()
        header.ts.tv_sec = time_t(packet.time.seconds)
        header.ts.tv_usec = suseconds_t(packet.time.microseconds)
        header.caplen = UInt32(packet.bytes.count)
        header.len = UInt32(packet.originalLength)
        pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header,
                  packet.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
    }

    /// `originalLength` longer than `bytes` records a frame cut by the snapshot length.
    public func write(_ bytes: [UInt8], time: Timestamp, originalLength: Int? = nil) {
        bytes.withUnsafeBytes { write(CapturedPacket(time: time, bytes: $0, originalLength: originalLength ?? bytes.count)) }
    }

    public func flush() {
        if let dumper { pcap_dump_flush(dumper) }
    }

    public func close() {
        if let dumper { pcap_dump_close(dumper) }
        dumper = nil
    }
}
