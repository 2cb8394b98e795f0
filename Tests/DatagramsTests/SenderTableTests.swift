import Addresses
import Endpoints
import NIOCore
import NIOEmbedded
import Rendering
import Synchronization
import Testing
@testable import Datagrams

@Suite("udp-recv's sender table stays bounded")
struct SenderTableTests {
    private func sender(_ index: Int) -> Endpoint {
        Endpoint(address: .v4(0x0A00_0000 | UInt32(index >> 8)), port: 1024 + index & 0xFF)
    }

    @Test("past the limit the least recently seen sender is forgotten, and only the first eviction is reported")
    func leastRecentlySeen() {
        var table = SenderTable(limit: 3)
        for index in 0..<3 { #expect(table.note(sender(index)) == nil) }
        #expect(table.note(sender(0)) == nil)  // seen again: now the most recent
        #expect(table.note(sender(3)) == sender(1))  // the first eviction names who went
        #expect(table.note(sender(4)) == nil)  // sender 2 goes quietly
        #expect(table.count == 3 && table.evicted == 2 && table.added == 5)
        #expect(table.note(sender(0)) == nil && table.note(sender(1)) == nil)  // 0 stayed; 1 comes back
        #expect(table.added == 6 && table.evicted == 3 && table.count == 3)
    }

    @Test("200,000 spoofed senders fed to the receiver: it keeps --table-limit of them, alerts once, and says so in text and JSON")
    func spoofedFlood() throws {
        var options = UDPReceiveOptions()
        options.tableLimit = 1_000
        let alerts = Mutex<[TableFull]>([])
        let channel = EmbeddedChannel()
        let done = channel.eventLoop.makePromise(of: ReceiveSummary.self)
        try channel.pipeline.syncOperations.addHandler(ReceiveHandler(
            options: options, narrator: .silent, onTableFull: { alert in alerts.withLock { $0.append(alert) } },
            onDatagram: { _ in }, done: done))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()  // active, as a bound socket is
        let payload = ByteBuffer(string: "x")
        for index in 0..<200_000 {
            let from = try SocketAddress(ipAddress: "\(sender(index).address)", port: sender(index).port)
            try channel.writeInbound(AddressedEnvelope(remoteAddress: from, data: payload))
        }
        _ = try channel.finish()
        let summary = try done.futureResult.wait()
        #expect(summary.datagrams == 200_000)
        #expect(summary.senders.count == 1_000 && summary.senders.evicted == 199_000 && summary.senders.added == 200_000)
        #expect(alerts.withLock { $0 } == [TableFull(limit: 1_000, forgotten: sender(0))])
        let alert = try #require(alerts.withLock { $0.first })
        #expect(DatagramReport.text(alert).contains("sender table full at 1,000 senders (--table-limit)"))
        #expect(DatagramReport.text(summary).contains("; the sender table holds 1,000, 199,000 forgotten (--table-limit"))
        let json = String(decoding: DatagramReport.json(summary), as: UTF8.self)
        #expect(json.contains(#""senders":200000,"table_evicted":199000"#), "\(json)")
    }
}
