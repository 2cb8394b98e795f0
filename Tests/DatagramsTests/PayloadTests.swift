import Addresses
import Endpoints
import Rendering
import Synchronization
import Testing
@testable import Datagrams

@Suite("Payloads, units and endpoints")
struct PayloadTests {
    @Test("hex payloads in the usual spellings", arguments: [
        ("deadbeef", [UInt8]([0xde, 0xad, 0xbe, 0xef])), ("de ad be ef", [0xde, 0xad, 0xbe, 0xef]),
        ("DE:AD:BE:EF", [0xde, 0xad, 0xbe, 0xef]), ("0xde 0xad", [0xde, 0xad]), ("00\nff\n", [0x00, 0xff]), ("", []),
    ])
    func hex(text: String, bytes: [UInt8]) throws {
        #expect(try Payload.parseHex(text) == bytes)
    }

    @Test("bad hex is refused with the reason", arguments: ["abc", "a bc", "zz", "dé"])
    func badHex(text: String) {
        #expect(throws: UDPError.self) { try Payload.parseHex(text) }
    }

    @Test("how many datagrams one UDP_SEGMENT send carries", arguments: [
        (64, 65_536, false, 64), (1_000, 65_536, false, 64), (1_400, 1_500, false, 46), (1_472, 1_500, false, 44),
        (1_473, 1_500, false, 1), (1_452, 1_500, true, 44), (1_453, 1_500, true, 1), (0, 65_536, false, 1),
        (60_000, 65_536, false, 1), (40_000, 65_536, true, 1),
    ])
    func segmentsPerSend(size: Int, mtu: Int, ipv6: Bool, expected: Int) {
        #expect(Payload.segmentsPerSend(size: size, pathMTU: mtu, ipv6: ipv6) == expected)
    }

    @Test("the receive summary names kernel drops only when there were some")
    func summaryDrops() {
        var summary = ReceiveSummary()
        summary.datagrams = 5
        summary.kernelDrops = 0
        #expect(!DatagramReport.text(summary).contains("dropped"))
        #expect(String(decoding: DatagramReport.json(summary), as: UTF8.self).contains(#""kernel_drops":0"#))
        summary.kernelDrops = 1
        #expect(DatagramReport.text(summary).hasSuffix("; the kernel dropped 1 packet, receive buffer full (a group of GSO datagrams counts as one)"))
        summary.kernelDrops = nil
        #expect(String(decoding: DatagramReport.json(summary), as: UTF8.self).contains(#""kernel_drops":null"#))
    }

    @Test("printable text vs binary")
    func printable() {
        #expect(printableText(Array("hello\n".utf8)) == "hello\n")
        #expect(printableText(Array("grüße".utf8)) == "grüße")
        #expect(printableText([0x00, 0x41]) == nil)
        #expect(printableText([0xff, 0xfe]) == nil)
    }

    @Test("hex dump like xxd")
    func hexdump() {
        let dump = Hexdump.render(Array(0..<20))
        #expect(dump.split(separator: "\n").first == "00000000: 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f  ................")
        #expect(dump.split(separator: "\n").last == "00000010: 1011 1213                                ....")
        #expect(Hexdump.render(Array("AB".utf8)) == "00000000: 4142                                     AB")
    }

    @Test("durations print back the way they are typed")
    func compactDurations() {
        #expect(DurationText.compact(.seconds(2)) == "2s")
        #expect(DurationText.compact(.milliseconds(300)) == "300ms")
        #expect(DurationText.format(.milliseconds(1500)) == "1.500 s")
        #expect(DurationText.format(.microseconds(850)) == "850 µs")
    }

    @Test("endpoints: IPv6 in brackets, IPv4-mapped shown as IPv4")
    func endpoints() throws {
        #expect(Endpoint(address: .v4(0x7F00_0001), port: 9).description == "127.0.0.1:9")
        #expect(Endpoint(address: .v6(1), port: 9).description == "[::1]:9")
        let mapped = try #require(IPAddress("::ffff:192.0.2.1"))
        #expect(Endpoint(address: mapped, port: 53).description == "192.0.2.1:53")
    }

    @Test("each failure has its documented exit status")
    func exitStatuses() {
        let endpoint = Endpoint(address: .v4(0x7F00_0001), port: 9)
        #expect(UDPError.network(.resolution(host: "x", reason: "y")).exitStatus.rawValue == 3)
        #expect(UDPError.network(.refused(endpoint, .udp)).exitStatus.rawValue == 4)
        #expect(UDPError.timedOut(endpoint, .seconds(2)).exitStatus.rawValue == 5)
        #expect(UDPError.network(.unreachable(endpoint, reason: "r")).exitStatus.rawValue == 6)
        #expect(UDPError.invalidHex("h").exitStatus.rawValue == 2)
        #expect(UDPError.payloadTooLarge(bytes: 65508, limit: 65507, family: "IPv4").exitStatus.rawValue == 1)
        #expect(UDPError.network(.refused(endpoint, .udp)).description.contains("nothing listens on 127.0.0.1:9/udp"))
    }

    @Test("generated payloads have the asked size")
    func generated() {
        #expect(Payload.generated(size: 0).isEmpty)
        #expect(Payload.generated(size: 1400).count == 1400)
        #expect(printableText(Payload.generated(size: 100)) != nil)
        #expect(Payload.limit(ipv6: false) == 65_507)
        #expect(Payload.limit(ipv6: true) == 65_527)
    }
}

@Suite("UDP sender and receiver on loopback, in process")
struct LoopbackTests {
    @Test("the receiver echoes and the sender gets every reply")
    func echo() async throws {
        var options = UDPReceiveOptions()
        options.bindHost = "127.0.0.1"
        options.echo = true
        options.count = 3
        // Only a safety net (the receiver ends at its count): on 2 busy cores the synchronous CLI
        // suites beside this one have held the sender back for over 30 s.
        options.idleTimeout = .seconds(180)
        let receiver = try await UDPReceiver.bind(options, narrator: .silent) { _ in }
        let port = receiver.localEndpoint.port
        #expect(port > 0)
        async let received = receiver.run()

        var send = UDPSendOptions()
        send.host = "127.0.0.1"
        send.port = port
        send.waitReply = true
        let replies = Replies()
        let plan = PayloadPlan(payloads: (0..<3).map { Array("message \($0)".utf8) })
        let summary = try await UDPSender.run(send, plan: plan, narrator: .silent) { replies.add($0) }
        #expect(summary.datagrams == 3 && summary.replies == 3)
        #expect(replies.texts == ["message 0", "message 1", "message 2"])
        let total = try await received
        #expect(total.datagrams == 3 && total.bytes == 27 && total.senders.count == 1)
    }

    @Test("cancelling the task that runs a receiver stops it")
    func cancelledRun() async throws {
        var options = UDPReceiveOptions()
        options.bindHost = "127.0.0.1"
        let receiver = try await UDPReceiver.bind(options, narrator: .silent) { _ in }
        let running = Task { try await receiver.run() }
        running.cancel()
        let ignoredCancellation = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = try? await running.value; return false }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                if Task.isCancelled { return false }
                receiver.stop()
                return true
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        #expect(!ignoredCancellation)
    }

    @Test("an unpaced run over IPv6, grouped by UDP_SEGMENT, arrives as separate whole datagrams")
    func segmentedRun() async throws {
        let payload = Payload.generated(size: 700)
        let (sent, total, seen) = try await unpacedRun(host: "::1", payload: payload, repeats: 128, receiverCount: 128)
        #expect(sent.datagrams == 128 && sent.bytes == 128 * 700)
        #expect(total.datagrams == 128 && total.bytes == 128 * 700)
        #expect(seen == Array(repeating: payload, count: 128))
    }

    @Test("--count stops in the middle of a grouped run: exactly that many datagrams are taken")
    func countWithinGroup() async throws {
        let (_, total, seen) = try await unpacedRun(host: "127.0.0.1", payload: Payload.generated(size: 100),
                                                    repeats: 64, receiverCount: 10)
        #expect(total.datagrams == 10 && total.bytes == 1_000)
        #expect(seen.count == 10)
    }

    /// `repeats` copies of `payload` sent unpaced to a receiver on `host` that stops after
    /// `receiverCount`: what the sender reports, what the receiver counted, and the payloads it got.
    private func unpacedRun(host: String, payload: [UInt8], repeats: Int,
                            receiverCount: Int) async throws -> (SendSummary, ReceiveSummary, [[UInt8]]) {
        var options = UDPReceiveOptions()
        options.bindHost = host
        options.count = receiverCount
        options.idleTimeout = .seconds(180)
        let seen = Payloads()
        let receiver = try await UDPReceiver.bind(options, narrator: .silent) { seen.add($0) }
        async let received = receiver.run()
        var send = UDPSendOptions()
        send.host = host
        send.port = receiver.localEndpoint.port
        let sent = try await UDPSender.run(send, plan: PayloadPlan(payloads: [payload], repeats: repeats), narrator: .silent) { _ in }
        return (sent, try await received, seen.all)
    }
}

final class Payloads: Sendable {
    private let received = Mutex<[[UInt8]]>([])
    func add(_ datagram: ReceivedDatagram) { received.withLock { $0.append(datagram.bytes) } }
    var all: [[UInt8]] { received.withLock { $0 } }
}

final class Replies: @unchecked Sendable {
    var texts: [String] = []
    func add(_ datagram: ReceivedDatagram) { texts.append(String(decoding: datagram.bytes, as: UTF8.self)) }
}

@Suite("Options checked with the request")
struct DatagramOptionsTests {
    @Test("a receiver's groups decide its family; mixed families, a bind of the other family, --interface alone are named")
    func receiveOptions() {
        var options = UDPReceiveOptions()
        #expect(options.problem == nil)
        options.interface = "lo"
        #expect(options.problem?.contains("--interface goes with --join") == true)
        options.groups = [IPAddress("239.1.2.3")!]
        options.bindHost = "0.0.0.0"
        #expect(options.problem == nil)
        options.bindHost = "::"
        #expect(options.problem?.contains("is not IPv4") == true)
        options.groups.append(IPAddress("ff02::fb")!)
        #expect(options.problem?.contains("two separate udp-recv runs") == true)
        options.groups = [IPAddress("10.0.0.1")!]
        #expect(options.problem?.contains("multicast group") == true)
    }

    @Test("a sender's TTLs and bind address")
    func sendOptions() {
        var options = UDPSendOptions()
        #expect(options.problem == nil)
        options.ttl = 0
        #expect(options.problem?.contains("--ttl 0 is out of range") == true)
        options.ttl = 64
        options.multicastTTL = 256
        #expect(options.problem?.contains("--multicast-ttl 256") == true)
        options.multicastTTL = 0
        options.bindHost = "localhost"
        #expect(options.problem?.contains("--bind takes an IP address") == true)
    }

    @Test("a payload from a file that cannot be read is a sentence naming the file")
    func unreadablePayload() {
        #expect(throws: UDPError.self) { try PayloadPlan.read(.file("/nonexistent/payload"), lines: false, hex: false, repeats: 1) }
        let plan = try? PayloadPlan.read(.text("a\nb"), lines: true, hex: false, repeats: 2)
        #expect(plan?.payloads == [Array("a\nb".utf8)] && plan?.total == 2)
    }
}
