/// One TCP option (IANA's "TCP Option Kind Numbers"), as tcpdump names them.
public enum TCPOption: Equatable, Sendable {
    case endOfList
    case noOperation
    case maximumSegmentSize(UInt16)
    case windowScale(UInt8)
    case sackPermitted
    /// Left and right edges of each block the receiver holds.
    case sack([SACKBlock])
    case timestamps(value: UInt32, echoReply: UInt32)
    /// TCP Fast Open (RFC 7413): an empty cookie asks for one.
    case fastOpen(cookie: [UInt8])
    /// Multipath TCP (RFC 8684): the subtype is the high nibble of the first data byte.
    case multipath(subtype: UInt8, data: [UInt8])
    case md5Signature
    case userTimeout(UInt16)
    case unknown(kind: UInt8, data: [UInt8])

    public struct SACKBlock: Equatable, Sendable {
        public var left: UInt32
        public var right: UInt32
    }

    /// The options in order. A length that is too short or runs past the header ends the walk,
    /// and `malformed` says so (tcpdump prints `[bad opt]`).
    public static func all(_ options: OptionBytes) -> (options: [TCPOption], malformed: Bool) {
        var list: [TCPOption] = []
        let malformed = walk(options) { list.append(decode(kind: $0, data: $1)) }
        return (list, malformed)
    }

    /// Calls `body` with each option's kind and data; returns whether the walk stopped on a bad length.
    @discardableResult
    static func walk(_ options: OptionBytes, _ body: (UInt8, UnsafeRawBufferPointer) -> Void) -> Bool {
        options.withBytes { bytes in
            var index = 0
            while index < bytes.count {
                let kind = bytes[index]
                if kind == 0 || kind == 1 {
                    body(kind, UnsafeRawBufferPointer(rebasing: bytes[index..<index]))
                    if kind == 0 { return false }
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { return true }
                let length = Int(bytes[index + 1])
                guard length >= 2, index + length <= bytes.count else { return true }
                body(kind, UnsafeRawBufferPointer(rebasing: bytes[(index + 2)..<(index + length)]))
                index += length
            }
            return false
        }
    }

    static func decode(kind: UInt8, data: UnsafeRawBufferPointer) -> TCPOption {
        func u16(_ at: Int) -> UInt16 { UInt16(data[at]) << 8 | UInt16(data[at + 1]) }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) << 16 | UInt32(u16(at + 2)) }
        switch (kind, data.count) {
        case (0, _): return .endOfList
        case (1, _): return .noOperation
        case (2, 2): return .maximumSegmentSize(u16(0))
        case (3, 1): return .windowScale(data[0])
        case (4, 0): return .sackPermitted
        case (5, let count) where count > 0 && count % 8 == 0:
            return .sack(stride(from: 0, to: count, by: 8).map { SACKBlock(left: u32($0), right: u32($0 + 4)) })
        case (8, 8): return .timestamps(value: u32(0), echoReply: u32(4))
        case (19, 16): return .md5Signature
        case (28, 2): return .userTimeout(u16(0))
        case (30, let count) where count > 0: return .multipath(subtype: data[0] >> 4, data: Array(data))
        case (34, _): return .fastOpen(cookie: Array(data))
        default: return .unknown(kind: kind, data: Array(data))
        }
    }

    /// The short name JSON uses for the kind.
    public var name: StaticString {
        switch self {
        case .endOfList: "eol"
        case .noOperation: "nop"
        case .maximumSegmentSize: "mss"
        case .windowScale: "wscale"
        case .sackPermitted: "sackOK"
        case .sack: "sack"
        case .timestamps: "TS"
        case .fastOpen: "tfo"
        case .multipath: "mptcp"
        case .md5Signature: "md5"
        case .userTimeout: "uto"
        case .unknown: "unknown"
        }
    }
}

/// The options a connection tracker needs, read without building the list.
public struct TCPOptionSummary: Equatable, Sendable {
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?
    public var sackPermitted = false
    public var timestamp: (value: UInt32, echoReply: UInt32)?
    /// The first SACK block's edges, and how many blocks there are.
    public var sackBlocks = 0
    public var firstSACK: TCPOption.SACKBlock?

    public init(_ options: OptionBytes) {
        guard !options.isEmpty else { return }
        TCPOption.walk(options) { kind, data in
            switch (kind, data.count) {
            case (2, 2): maximumSegmentSize = UInt16(data[0]) << 8 | UInt16(data[1])
            case (3, 1): windowScale = data[0]
            case (4, 0): sackPermitted = true
            case (8, 8): timestamp = (Self.u32(data, 0), Self.u32(data, 4))
            case (5, let count) where count > 0 && count % 8 == 0:
                sackBlocks = count / 8
                firstSACK = TCPOption.SACKBlock(left: Self.u32(data, 0), right: Self.u32(data, 4))
            default: break
            }
        }
    }

    private static func u32(_ data: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3])
    }

    public static func == (left: TCPOptionSummary, right: TCPOptionSummary) -> Bool {
        left.maximumSegmentSize == right.maximumSegmentSize && left.windowScale == right.windowScale
            && left.sackPermitted == right.sackPermitted && left.timestamp?.value == right.timestamp?.value
            && left.timestamp?.echoReply == right.timestamp?.echoReply && left.sackBlocks == right.sackBlocks
            && left.firstSACK == right.firstSACK
    }
}
