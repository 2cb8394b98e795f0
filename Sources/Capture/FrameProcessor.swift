import Flows
import Neighbors
import Packets
import Rendering

/// What `capture` does with each frame: decode it, learn from it, raise alerts, and render
/// its line. Pure: bytes in, output bytes and alerts out.
public struct FrameProcessor {
    public enum Format: Sendable {
        case text(verbose: Bool)
        case json
        /// TCP segments as rows of each connection's sequence diagram (`Ladder`), or its JSON records.
        case ladder(json: Bool)
        /// Decode and learn only (for --table or --alerts without per-packet lines).
        case none
    }

    public struct Counts: Equatable, Sendable {
        public var seen = 0
        public var arp = 0
        public var ndp = 0
        public var tcp = 0
        public var udp = 0
        /// ICMP and ICMPv6 other than Neighbor Discovery.
        public var icmp = 0
        /// IP packets of another protocol, or fragments after the first.
        public var otherIP = 0
        /// Frames that were not IP, ARP or NDP, or not decodable.
        public var other = 0
        public var malformed = 0

        public var decoded: Int { arp + ndp + tcp + udp + icmp + otherIP }

        mutating func count(_ content: DecodedFrame.Content) {
            switch content {
            case .arp: arp += 1
            case .ndp: ndp += 1
            case .ip(let packet):
                switch packet.transport {
                case .tcp: tcp += 1
                case .udp: udp += 1
                case .icmp: icmp += 1
                case .laterFragment, .other: otherIP += 1
                }
            case .other, .none: other += 1
            }
        }

        public mutating func add(_ more: Counts) {
            seen += more.seen
            arp += more.arp
            ndp += more.ndp
            tcp += more.tcp
            udp += more.udp
            icmp += more.icmp
            otherIP += more.otherIP
            other += more.other
            malformed += more.malformed
        }
    }

    public let linkType: LinkType
    public let format: Format
    /// Learning costs a table lookup per packet; skipped when nobody asked for the table or alerts.
    public let learns: Bool
    public private(set) var counts = Counts()
    public private(set) var watch: NeighborWatch
    /// TCP connections followed across packets: relative numbers and analysis marks on each
    /// segment, the ladder, the conversations. Nil for absolute numbers and no analysis.
    public private(set) var tracker: TCPTracker?
    /// True for the packet whose connection first pushed the oldest out of the TCP table: the
    /// moment to say, once, that the table is full.
    public private(set) var tcpTableJustFilled = false
    private var ladder = Ladder()
    private var clock = TimestampFormatter()

    public init(linkType: LinkType, format: Format, learns: Bool = true, expectedRouters: [RouterIdentity] = [],
                tableLimit: Int = NeighborWatch.defaultLimit, tracker: TCPTracker? = nil) {
        self.linkType = linkType
        self.format = format
        self.learns = learns
        self.watch = NeighborWatch(expectedRouters: expectedRouters, limit: tableLimit)
        self.tracker = tracker
    }

    /// Whether packets must be seen in order, on one thread.
    public var isStateful: Bool { learns || tracker != nil }

    /// Decodes one frame, appends its rendering to `output`, and returns the alerts it raised.
    /// `interface` names the capturing interface; `interfaceName` resolves Linux cooked v2 indexes.
    public mutating func process(_ bytes: UnsafeRawBufferPointer, originalLength: Int, time: Timestamp,
                                 interface: String?, interfaceName: (UInt32) -> String?,
                                 to output: inout JSONLine) -> [Alert] {
        counts.seen += 1
        let frame = FrameDecoder.decode(bytes, linkType: linkType, originalLength: originalLength)
        counts.count(frame.content)
        if frame.malformed != nil { counts.malformed += 1 }
        let name = frame.link.interfaceIndex.flatMap(interfaceName) ?? interface
        let evictedBefore = tracker?.evicted ?? 0
        let observation = track(frame, time: time)
        tcpTableJustFilled = evictedBefore == 0 && (tracker?.evicted ?? 0) > 0
        let service = frame.ip?.udp.flatMap(ServiceNames.udp)
        switch format {
        case .text(let verbose):
            PacketText.append(frame, time: time, interface: name, verbose: verbose, tcp: observation?.annotation, service: service,
                              clock: &clock, to: &output)
        case .json:
            PacketJSON.append(frame, time: time, interface: name, tcp: observation?.annotation, service: service, clock: &clock, to: &output)
        case .ladder(let json):
            if let observation, let segment = frame.ip?.tcp { drawLadder(observation, segment, time: time, json: json, to: &output) }
        case .none:
            break
        }
        return learns ? watch.observe(frame, time: time) : []
    }

    private mutating func track(_ frame: DecodedFrame, time: Timestamp) -> TCPObservation? {
        guard tracker != nil, let packet = frame.ip, let segment = packet.tcp else { return nil }
        return tracker!.observe(segment, source: packet.source, destination: packet.destination, time: time.interval)
    }

    private mutating func drawLadder(_ observation: TCPObservation, _ segment: TCPSegment, time: Timestamp, json: Bool,
                                     to output: inout JSONLine) {
        if json { return Ladder.json(observation, segment, time: time, clock: &clock, to: &output) }
        output.text(ladder.rows(observation, segment, time: time.interval))
    }

    public mutating func process(_ bytes: [UInt8], time: Timestamp, to output: inout JSONLine) -> [Alert] {
        bytes.withUnsafeBytes {
            process($0, originalLength: bytes.count, time: time, interface: nil, interfaceName: { _ in nil }, to: &output)
        }
    }
}

extension Timestamp {
    /// Seconds since the epoch, for the tracker's arithmetic.
    var interval: Double { Double(seconds) + Double(microseconds) / 1e6 }
}
