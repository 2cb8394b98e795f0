import Endpoints
import NIOCore
import Rendering
import Synchronization
import TCPEcho
import Testing

/// Collects the events a server reports, from any event loop.
private final class Events: Sendable {
    private let list = Mutex<[ServerEvent]>([])
    func append(_ event: ServerEvent) { list.withLock { $0.append(event) } }
    var all: [ServerEvent] { list.withLock { $0 } }
}

private func clientOptions(port: Int, host: String = "127.0.0.1") -> EchoClientOptions {
    var options = EchoClientOptions()
    options.host = host
    options.port = port
    // A safety net only: --line holds a partial line back by design, and on 2 busy cores the
    // client's writer task can wait longer than 5 s for a thread while the echo is incomplete.
    options.timeout = .seconds(60)
    return options
}

@Suite("Echo server, client and load generator in one process, on loopback", .serialized, .timeLimit(.minutes(3)))
struct EchoServerTests {
    @Test("a round trip over IPv4 and IPv6 to a dual-stack server; open and close are reported")
    func roundTrip() async throws {
        let events = Events()
        let server = try await EchoServer.bind(EchoServerOptions(), narrator: .silent) { events.append($0) }
        async let serving = server.run()
        let message = Array("hello, echo".utf8)
        let v4 = try await EchoClient.roundTrip(clientOptions(port: server.localEndpoint.port), message: message, narrator: .silent)
        let v6 = try await EchoClient.roundTrip(clientOptions(port: server.localEndpoint.port, host: "::1"), message: message, narrator: .silent)
        #expect(v4.echo == message && v6.echo == message)
        #expect(v4.server.description == "127.0.0.1:\(server.localEndpoint.port)")
        #expect(v6.server.description == "[::1]:\(server.localEndpoint.port)")
        server.stop()
        let summary = await serving
        #expect(summary.connections == 2)
        #expect(summary.bytes == 2 * message.count)
        let closes = events.all.compactMap { event -> (Endpoint, Int, CloseReason)? in
            if case .closed(_, let peer, let bytes, _, let reason) = event { return (peer, bytes, reason) }
            return nil
        }
        #expect(closes.count == 2)
        #expect(closes.allSatisfy { $0.1 == message.count && $0.2 == .peerClosed })
        // IPv4 clients of the [::] socket are shown as IPv4.
        #expect(closes.contains { $0.0.address.description == "127.0.0.1" })
    }

    @Test("a session of 200,000 bytes from many small writes comes back whole and in order")
    func session() async throws {
        let server = try await EchoServer.bind(EchoServerOptions(), narrator: .silent) { _ in }
        async let serving = server.run()
        let chunks = (0..<200).map { index in [UInt8](repeating: UInt8(index % 256), count: 1000) }
        let feed = Mutex(chunks[...])
        let echoed = Mutex<[UInt8]>([])
        let summary = try await EchoClient.session(
            clientOptions(port: server.localEndpoint.port), narrator: .silent,
            input: { feed.withLock { $0.popFirst() } }, onConnected: { _ in },
            onEcho: { chunk in echoed.withLock { $0.append(contentsOf: chunk.readableBytesView) } })
        #expect(summary.sent == 200_000 && summary.received == 200_000)
        #expect(echoed.withLock { $0 } == chunks.flatMap { $0 })
        server.stop()
        _ = await serving
    }

    @Test("--line echoes only complete lines; the rest at end of input")
    func lineMode() async throws {
        var options = EchoServerOptions()
        options.lineMode = true
        let server = try await EchoServer.bind(options, narrator: .silent) { _ in }
        async let serving = server.run()
        let trip = try await EchoClient.roundTrip(clientOptions(port: server.localEndpoint.port),
                                                  message: Array("one\ntwo\n".utf8), narrator: .silent)
        #expect(String(decoding: trip.echo, as: UTF8.self) == "one\ntwo\n")
        // A partial line waits for its newline (or the end of input); a server echoing as-is would
        // send "tw" back at once.
        let feed = Mutex(["one\ntw", "o\nthree"].map { Array($0.utf8) }[...])
        let echoed = Mutex<[UInt8]>([])
        let beforeNewline = Mutex<String?>(nil)
        _ = try await EchoClient.session(
            clientOptions(port: server.localEndpoint.port), narrator: .silent,
            input: {
                if feed.withLock({ $0.count }) == 1 {
                    // Once "one\n" is back (however busy the machine), "tw" has had 300 ms to follow.
                    var polls = 0
                    while echoed.withLock({ $0.count }) < 4 && polls < 200 {
                        try? await Task.sleep(for: .milliseconds(50))
                        polls += 1
                    }
                    try? await Task.sleep(for: .milliseconds(300))
                    beforeNewline.withLock { $0 = String(decoding: echoed.withLock { $0 }, as: UTF8.self) }
                }
                return feed.withLock { $0.popFirst() }
            },
            onConnected: { _ in },
            onEcho: { chunk in echoed.withLock { $0.append(contentsOf: chunk.readableBytesView) } })
        #expect(beforeNewline.withLock { $0 } == "one\n")
        #expect(String(decoding: echoed.withLock { $0 }, as: UTF8.self) == "one\ntwo\nthree")
        server.stop()
        _ = await serving
    }

    @Test("the load generator verifies every echo over 1,000 concurrent connections")
    func thousandConnections() async throws {
        let server = try await EchoServer.bind(EchoServerOptions(), narrator: .silent) { _ in }
        async let serving = server.run()
        var options = LoadOptions()
        options.target.host = "127.0.0.1"
        options.target.port = server.localEndpoint.port
        options.connections = 1000
        options.messages = 5000
        options.size = 100
        options.pipeline = 2
        let report = try await LoadGenerator.run(options, narrator: .silent, progress: nil)
        #expect(report.connections == 1000)
        #expect(report.errors == 0, "\(report.errorSamples)")
        #expect(report.messages == 5000)
        #expect(report.bytes == 500_000)
        #expect(report.latency.max >= report.latency.p50 && report.latency.p50 > 0)
        server.stop()
        let summary = await serving
        #expect(summary.connections == 1000)
        #expect(summary.bytes == 500_000)
    }

    @Test("cancelling the task that runs a server stops it, so a test that fails cannot leave it waiting")
    func cancelledRun() async throws {
        let server = try await EchoServer.bind(EchoServerOptions(), narrator: .silent) { _ in }
        let port = server.localEndpoint.port
        let running = Task { await server.run() }
        running.cancel()
        // Raced against a 10 s deadline that stops the server itself: a run that ignored
        // cancellation is then a failed expectation, not a hung test.
        let ignoredCancellation = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await running.value; return false }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                if Task.isCancelled { return false }
                server.stop()
                server.stop()
                return true
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        #expect(!ignoredCancellation)
        await #expect(throws: TCPError.self) {
            try await EchoClient.roundTrip(clientOptions(port: port), message: [1], narrator: .silent)
        }
    }

    @Test("the client reports a refused connection and a missing name as sentences")
    func clientErrors() async throws {
        let server = try await EchoServer.bind(EchoServerOptions(), narrator: .silent) { _ in }
        let port = server.localEndpoint.port
        server.stop()
        _ = await server.run()
        await #expect(throws: TCPError.self) {
            try await EchoClient.roundTrip(clientOptions(port: port), message: [1], narrator: .silent)
        }
        do {
            _ = try await EchoClient.roundTrip(clientOptions(port: port), message: [1], narrator: .silent)
        } catch {
            #expect(error.exitStatus.rawValue == 4)
            #expect(error.description.contains("nothing listens on 127.0.0.1:\(port)/tcp"))
        }
        do {
            _ = try await EchoClient.roundTrip(clientOptions(port: 7, host: "no-such-host.invalid"), message: [1], narrator: .silent)
            Issue.record("resolving .invalid succeeded")
        } catch {
            #expect(error.exitStatus.rawValue == 3)
        }
    }
}
