import Addresses
import Dispatch
import Flows
import Packets
import Rendering
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A background capture of one flow of this process (`--wire`): opened on the interface the
/// route to the peer uses before the command connects, it decodes each packet of the flow and
/// hands it to `deliver` on a thread of its own, TCP numbers relative to each side's first.
/// `sync()` lets narration wait for what the kernel already captured (and, when the tap holds
/// packets, releases them: a command that narrates a call after making it gets its packets
/// below the line); `finish()` waits (bounded) for the close's segments, then stops the thread.
public final class FlowTap: @unchecked Sendable {
    /// One packet of the flow, decoded, with what the tracker said of it.
    public struct Packet: Sendable {
        public var frame: DecodedFrame
        public var time: Timestamp
        public var direction: WireDirection
        public var tcp: TCPAnnotation?
    }

    public let interface: String
    public let filter: String
    // Owned by the capture thread once started.
    private let handle: PcapHandle
    private var flow: WireFlow
    private var tracker = TCPTracker(limit: 4)
    /// Packets held until the next `sync()` (when `holds`).
    private var pending: [Packet] = []
    private let holds: Bool
    private let deliver: @Sendable (Packet) -> Void
    // Shared with the caller's threads.
    private let stopRequested = Atomic<Bool>(false)
    private let finishing = Atomic<Bool>(false)
    private let syncRequested = Atomic<Int>(0)
    private let syncDone = Atomic<Int>(0)
    /// Both FINs acknowledged, or a reset: nothing more will come.
    private let closed = Atomic<Bool>(false)
    private let lastPacket = Atomic<Int64>(0)
    private let stopped = DispatchSemaphore(value: 0)

    /// How long a poll of the capture waits; bounds how late `sync` and `finish` notice.
    static let pollMilliseconds: Int32 = 5

    private init(handle: PcapHandle, interface: String, flow: WireFlow, holds: Bool, deliver: @escaping @Sendable (Packet) -> Void) {
        self.handle = handle
        self.holds = holds
        self.interface = interface
        self.flow = flow
        self.filter = flow.filter
        self.deliver = deliver
    }

    /// Opens the capture on `interface` with the flow's filter and starts reading. `holds`:
    /// packets wait for the next `sync()` instead of going out as captured. Throws
    /// `.permissionDenied` without root or CAP_NET_RAW.
    public static func start(_ flow: WireFlow, interface: String, holds: Bool = false,
                             deliver: @escaping @Sendable (Packet) -> Void) throws(CaptureError) -> FlowTap {
        var options = LiveOptions(interface: interface)
        options.snapshotLength = 65_535
        options.readTimeoutMilliseconds = pollMilliseconds
        let handle = try PcapHandle.live(options)
        try handle.setFilter(flow.filter)
        let tap = FlowTap(handle: handle, interface: interface, flow: flow, holds: holds, deliver: deliver)
        tap.lastPacket.store(now(), ordering: .relaxed)
        // A queue of its own, so the blocking reads never hold a Swift concurrency thread.
        DispatchQueue(label: "nettool.wire").async { tap.loop() }
        return tap
    }

    /// Waits (at most `limit`) until every packet captured before this call was delivered.
    public func sync(limit: Duration = .milliseconds(200)) {
        let ticket = syncRequested.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        waitUntil(limit: limit) { syncDone.load(ordering: .acquiring) >= ticket }
    }

    /// Waits for the end of the flow (TCP: both FINs acknowledged, or a reset) or until nothing
    /// arrived for `quiet`, at most `limit` in all, then stops the capture thread. Once only;
    /// later calls return at once.
    public func finish(quiet: Duration = .milliseconds(150), limit: Duration = .seconds(1)) {
        guard !finishing.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let quietNanoseconds = Int64(quiet.components.seconds) * 1_000_000_000 + quiet.components.attoseconds / 1_000_000_000
        waitUntil(limit: limit) {
            closed.load(ordering: .acquiring) || Self.now() - lastPacket.load(ordering: .acquiring) >= quietNanoseconds
        }
        sync()
        stopRequested.store(true, ordering: .releasing)
        handle.breakLoop()
        stopped.wait()
    }

    private func waitUntil(limit: Duration, _ condition: () -> Bool) {
        let deadline = ContinuousClock.now + limit
        while !condition() && ContinuousClock.now < deadline { usleep(1000) }
    }

    private func loop() {
        defer {
            release()
            stopped.signal()
        }
        while !stopRequested.load(ordering: .acquiring) {
            // Read before looking: an empty read after it means every packet up to the request is out.
            let ticket = syncRequested.load(ordering: .acquiring)
            guard let result = try? handle.next() else { return }
            switch result {
            case .packet(let captured):
                lastPacket.store(Self.now(), ordering: .releasing)
                take(captured)
            case .timeout:
                if ticket > syncDone.load(ordering: .relaxed) {
                    release()
                    syncDone.store(ticket, ordering: .releasing)
                }
            case .endOfFile, .interrupted:
                return
            }
        }
    }

    private func take(_ captured: CapturedPacket) {
        let frame = FrameDecoder.decode(captured.bytes, linkType: handle.linkType, originalLength: captured.originalLength)
        guard let ip = frame.ip, let direction = flow.classify(ip) else { return }
        var annotation: TCPAnnotation?
        if let segment = ip.tcp {
            let observation = tracker.observe(segment, source: ip.source, destination: ip.destination,
                                              time: Double(captured.time.seconds) + Double(captured.time.microseconds) / 1e6)
            annotation = observation.annotation
            if segment.flags.contains(.rst) || (observation.clientState.isDone && observation.serverState.isDone) {
                closed.store(true, ordering: .releasing)
            }
        }
        let packet = Packet(frame: frame, time: captured.time, direction: direction, tcp: annotation)
        if holds { pending.append(packet) } else { deliver(packet) }
    }

    private func release() {
        pending.forEach(deliver)
        pending.removeAll()
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

extension TCPState {
    /// Nothing more to send or acknowledge on this side.
    fileprivate var isDone: Bool { self == .timeWait || self == .closed }
}

extension FlowTap.Packet {
    /// What it is in the story of the socket calls, with an arrow pointing the way it went:
    /// `SYN →`, `← SYN-ACK`, `PSH-ACK 5 bytes →`, `← ICMP`.
    public var label: String {
        var name: String
        var length = 0
        switch frame.ip?.transport {
        case .tcp(let segment):
            let shown: [(TCPFlags, String)] = [(.syn, "SYN"), (.fin, "FIN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK")]
            name = shown.filter { segment.flags.contains($0.0) }.map(\.1).joined(separator: "-")
            length = segment.payloadLength
        case .udp(let datagram):
            name = "UDP"
            length = datagram.payloadLength
        case .icmp(let message):
            name = message.isV6 ? "ICMPv6" : "ICMP"
        default:
            name = "IP"
        }
        if length > 0 { name += " \(length) byte\(length == 1 ? "" : "s")" }
        return direction == .out ? "\(name) →" : "← \(name)"
    }

    /// `[wire] SYN →  <tcpdump's line>`, relative numbers, the time of day first.
    public func text(clock: inout TimestampFormatter) -> String {
        var line = JSONLine(capacity: 256)
        PacketText.append(frame, time: time, interface: nil, verbose: false, tcp: tcp, clock: &clock, to: &line)
        let tcpdump = String(decoding: line.bytes, as: UTF8.self)
        let padding = String(repeating: " ", count: max(2, 20 - label.count))
        return "[wire] \(label)\(padding)\(tcpdump.hasSuffix("\n") ? String(tcpdump.dropLast()) : tcpdump)"
    }

    /// `{"event":"wire","direction":"out","label":"SYN →",…}`, then `capture --json`'s fields.
    public func json(interface: String, clock: inout TimestampFormatter) -> [UInt8] {
        var line = JSONLine(capacity: 512)
        let label = self.label
        PacketJSON.append(frame, time: time, interface: interface, tcp: tcp, clock: &clock, record: "wire", extra: { out in
            out.field("direction", direction == .out ? "out" : "in")
            out.field("label", label)
        }, to: &line)
        return line.bytes
    }
}
