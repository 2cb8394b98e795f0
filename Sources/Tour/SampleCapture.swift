import Packets

/// ARP and NDP frames captured with tcpdump on a veth pair (arping, ndisc6): what the wire
/// lesson decodes when it may not capture live.
enum SampleCapture {
    static let frames: [(time: Timestamp, bytes: [UInt8])] = [
        (Timestamp(seconds: 1_795_770_609, microseconds: 222_747), bytes("""
            ffffffffffff02005e0000010806000108000604000102005e000001c6120001000000000000c6120002\
            00000000000000000000000000000000
            """)),
        (Timestamp(seconds: 1_795_770_609, microseconds: 222_775), bytes("""
            02005e00000102005e0000020806000108000604000202005e000002c612000202005e000001c6120001
            """)),
        (Timestamp(seconds: 1_795_770_610, microseconds: 257_502), bytes("""
            3333ff00000202005e00000186dd600b4dbc00203afffe8000000000000000005efffe000001ff020000\
            0000000000000001ff0000028700bf6600000000fd000198001800000000000000000002010102005e00\
            0001
            """)),
        (Timestamp(seconds: 1_795_770_610, microseconds: 257_531), bytes("""
            02005e00000102005e00000286dd6000000000203afffd000198001800000000000000000002fe800000\
            0000000000005efffe00000188005cb960000000fd000198001800000000000000000002020102005e00\
            0002
            """)),
    ]

    private static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
