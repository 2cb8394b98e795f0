import Packets

/// Frames recorded once on real wires, decoded by the same code when a lesson may not capture live.
enum SampleCapture {
    /// ARP and NDP frames captured with tcpdump on a veth pair (arping, ndisc6), for the wire lesson.
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

    /// One tcp-echo-client exchange with tcp-echo-server on loopback ("hello", 5 bytes), captured
    /// with tcpdump on lo: the handshake, the data and its ACK, the echo, and the close.
    static let handshake: [(time: Timestamp, bytes: [UInt8])] = [
        (Timestamp(seconds: 1_796_684_556, microseconds: 473_716), bytes("""
            00000000000000000000000008004500003ccdcd400040066eec7f0000017f000001e2d61b5f9ba3f961\
            00000000a002ffd7fe3000000204ffd70402080a0a630822000000000103030a
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 473_729), bytes("""
            00000000000000000000000008004500003c0000400040063cba7f0000017f0000011b5fe2d696ab9973\
            9ba3f962a012ffcbfe3000000204ffd70402080a88af85a80a6308220103030a
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 473_741), bytes("""
            000000000000000000000000080045000034cdce400040066ef37f0000017f000001e2d61b5f9ba3f962\
            96ab997480100040fe2800000101080a0a63082288af85a8
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 516_309), bytes("""
            000000000000000000000000080045000039cdcf400040066eed7f0000017f000001e2d61b5f9ba3f962\
            96ab997480180040fe2d00000101080a0a63084c88af85a868656c6c6f
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 516_325), bytes("""
            00000000000000000000000008004500003412ff4000400629c37f0000017f0000011b5fe2d696ab9974\
            9ba3f96780100040fe2800000101080a88af85d20a63084c
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 516_623), bytes("""
            00000000000000000000000008004500003913004000400629bd7f0000017f0000011b5fe2d696ab9974\
            9ba3f96780180040fe2d00000101080a88af85d30a63084c68656c6c6f
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 516_629), bytes("""
            000000000000000000000000080045000034cdd0400040066ef17f0000017f000001e2d61b5f9ba3f967\
            96ab997980100040fe2800000101080a0a63084d88af85d3
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 516_724), bytes("""
            000000000000000000000000080045000034cdd1400040066ef07f0000017f000001e2d61b5f9ba3f967\
            96ab997980110040fe2800000101080a0a63084d88af85d3
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 517_422), bytes("""
            00000000000000000000000008004500003413014000400629c17f0000017f0000011b5fe2d696ab9979\
            9ba3f96880110040fe2800000101080a88af85d30a63084d
            """)),
        (Timestamp(seconds: 1_796_684_556, microseconds: 517_438), bytes("""
            000000000000000000000000080045000034cdd2400040066eef7f0000017f000001e2d61b5f9ba3f968\
            96ab997a80100040fe2800000101080a0a63084d88af85d3
            """)),
    ]

    private static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
