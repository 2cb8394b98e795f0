import Endpoints
import Histogram
import NIOCore
import NIOPosix
import Rendering

/// `tcp-echo-client --bench`: a load generator in the manner of tcpkali. It opens every
/// connection first (a bounded number of handshakes at a time, so the server's accept queue
/// does not overflow), then starts them together and measures from there. Connections are
/// spread over all event loops; each loop keeps its own histogram and counters. With
/// `reconnect`, connections are instead replaced all through the run, which measures how fast
/// the server sets them up (with --tls, its handshakes per second).
public enum LoadGenerator {
    /// Handshakes in flight at once while connecting.
    static let connectWindow = 128

    public static func run(_ options: LoadOptions, narrator: Narrator,
                           progress: (@Sendable (LoadProgress) -> Void)?) async throws(TCPError) -> LoadReport {
        let target = options.target
        let connector = try target.connector(narrator: narrator)
        let addresses: [SocketAddress]
        do {
            addresses = try connector.resolve(.tcp)
        } catch {
            throw .network(error)
        }
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        var shards: [NIOLoopBound<LoadShard>] = []
        for loop in loops {
            let size = options.size
            guard let shard = try? await loop.submit({ NIOLoopBound(LoadShard(size: size), eventLoop: loop) }).get() else {
                throw .network(.io("the event loops are shutting down"))
            }
            shards.append(shard)
        }
        let stop = StopFlag()
        var report = LoadReport()
        var handshakeTimes = Histogram<UInt64>(highestTrackableValue: LoadShard.maxTrackedNanoseconds, numberOfSignificantValueDigits: .three)
        var failures: [NetworkError] = []
        let monitor: Task<Void, Never>
        let start: ContinuousClock.Instant
        if let reconnect = options.reconnect {
            narrator.step("\(options.connections) × (socket() + connect(\(target.host):\(target.port))\(target.tls == nil ? "" : " + TLS handshake"), "
                              + "\(reconnect) message\(reconnect == 1 ? "" : "s"), close()) in a loop",
                          "each of \(options.connections) connections is closed after \(reconnect) message\(reconnect == 1 ? "" : "s") and replaced by a new one, "
                              + "so the server sets up connections all the time: the measure of a TLS server")
            start = ContinuousClock.now
            monitor = Task { if let progress { await reportProgress(progress, shards: shards, start: start) } }
            let slots = await runSlots(options, reconnect: reconnect, connector: connector, addresses: addresses, loops: loops,
                                       shards: shards, stop: stop)
            report.elapsed = ContinuousClock.now - start
            report.handshakeElapsed = report.elapsed
            for slot in slots {
                report.handshakes += slot.handshakes
                handshakeTimes.add(slot.handshakeTimes)
                if let failure = slot.failure { failures.append(failure) }
                if report.server.port == 0, let server = slot.server { report.server = server }
            }
            report.connections = options.connections
            report.failedConnections = failures.count
            guard report.handshakes > 0 else {
                throw .network(failures.first ?? .io("no connection to \(target.host)"))
            }
        } else {
            narrator.step("\(options.connections) × socket() + connect(\(target.host):\(target.port))",
                          "\(options.connections) connections, spread over \(loops.count) event loops (one thread per core), each doing its own three-way handshake")
            let connectStart = ContinuousClock.now
            let attempts = await connectAll(options, connector: connector, addresses: addresses, loops: loops, shards: shards, stop: stop)
            report.handshakeElapsed = ContinuousClock.now - connectStart
            let connections = attempts.compactMap(\.connection)
            guard let server = connections.first?.server else {
                throw .network(attempts.first?.failure ?? .io("no connection to \(target.host)"))
            }
            for attempt in attempts {
                if let failure = attempt.failure { failures.append(failure) }
                if let time = attempt.connection?.connectTime { _ = handshakeTimes.record(nanoseconds(time)) }
            }

            start = ContinuousClock.now
            for (channel, handler, _, _) in connections {
                channel.eventLoop.execute { handler.value.start() }
            }
            narrator.step("send()/recv() × \(options.pipeline) in flight per connection",
                          options.pipeline == 1 ? "ping-pong: each connection sends one message and waits for its whole echo before the next"
                              : "pipelined: each connection keeps \(options.pipeline) messages in flight")
            monitor = Task { if let progress { await reportProgress(progress, shards: shards, start: start) } }
            if options.messages == nil {
                try? await Task.sleep(for: options.duration)
                stop.set()
            }
            for (channel, _, _, _) in connections {
                try? await channel.closeFuture.get()
            }
            report.elapsed = ContinuousClock.now - start
            report.server = server
            report.connections = connections.count
            report.failedConnections = attempts.count - connections.count
            report.handshakes = connections.count
        }
        monitor.cancel()

        report.reconnect = options.reconnect
        report.size = options.size
        report.pipeline = options.pipeline
        var histogram = Histogram<UInt64>(highestTrackableValue: LoadShard.maxTrackedNanoseconds, numberOfSignificantValueDigits: .three)
        for snapshot in await snapshots(shards) {
            report.messages += snapshot.messages
            report.bytes += snapshot.bytes
            report.errors += snapshot.errors
            for sample in snapshot.errorSamples where report.errorSamples.count < 5 && !report.errorSamples.contains(sample) {
                report.errorSamples.append(sample)
            }
            histogram.add(snapshot.histogram)
        }
        for failure in failures {
            report.errors += 1
            let sentence = failure.description
            if report.errorSamples.count < 5 && !report.errorSamples.contains(sentence) { report.errorSamples.append(sentence) }
        }
        report.latency = LatencySummary(histogram)
        report.handshakeLatency = LatencySummary(handshakeTimes)
        narrator.step("close() × \(report.connections)", "each connection sends its FIN; the server closes its side in turn")
        return report
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(min(max(TimeAmount(duration).nanoseconds, 0), Int64(LoadShard.maxTrackedNanoseconds)))
    }

    /// What one reconnecting slot did: the connections it set up, how long each took, the server
    /// it reached, and the failure that ended it early, if one did.
    private struct Slot: Sendable {
        var handshakes = 0
        var handshakeTimes = Histogram<UInt64>(highestTrackableValue: LoadShard.maxTrackedNanoseconds, numberOfSignificantValueDigits: .three)
        var server: Endpoint?
        var failure: NetworkError?
    }

    /// `options.connections` slots, each a loop of connect, `reconnect` messages, close, until the
    /// run is over (its time is up, or the slot's share of `options.messages` is done). A slot
    /// whose connection fails stops: the error is counted, not repeated thousands of times.
    private static func runSlots(_ options: LoadOptions, reconnect: Int, connector: Connector, addresses: [SocketAddress],
                                 loops: [any EventLoop], shards: [NIOLoopBound<LoadShard>], stop: StopFlag) async -> [Slot] {
        await withTaskGroup(of: Slot.self) { group in
            for index in 0..<options.connections {
                let loop = loops[index % loops.count]
                let shard = shards[index % loops.count]
                var remaining = options.messages.map { $0 / options.connections + (index < $0 % options.connections ? 1 : 0) }
                group.addTask {
                    var slot = Slot()
                    while !stop.isSet && remaining.map({ $0 > 0 }) ?? true {
                        let budget = min(reconnect, remaining ?? reconnect)
                        let channel: Channel, handler: NIOLoopBound<BenchConnection>
                        do throws(NetworkError) {
                            let opened = try await connector.connect(addresses, narrate: false) { address in
                                try await connector.open(address, on: loop, narrate: false) { channel in
                                    (channel, try addBenchHandler(to: channel, options, shard: shard, stop: stop, budget: budget))
                                }
                            }
                            (channel, handler) = opened.connection
                            slot.server = opened.server
                            slot.handshakes += 1
                            _ = slot.handshakeTimes.record(nanoseconds(opened.connectTime))
                        } catch {
                            slot.failure = error
                            return slot
                        }
                        loop.execute { handler.value.start() }
                        try? await channel.closeFuture.get()
                        guard let (completed, failed) = try? await loop.submit({ (handler.value.completed, handler.value.failed) }).get(),
                              !failed else { return slot }
                        remaining = remaining.map { $0 - completed }
                    }
                    return slot
                }
            }
            if options.messages == nil {
                try? await Task.sleep(for: options.duration)
                stop.set()
            }
            var slots: [Slot] = []
            for await slot in group { slots.append(slot) }
            return slots
        }
    }

    private struct Attempt: Sendable {
        var connection: (channel: Channel, handler: NIOLoopBound<BenchConnection>, server: Endpoint, connectTime: Duration)?
        var failure: NetworkError?
    }

    /// Connects `options.connections` sockets, `connectWindow` handshakes at a time; messages
    /// are shared out so that they add up to `options.messages` exactly.
    private static func connectAll(_ options: LoadOptions, connector: Connector, addresses: [SocketAddress], loops: [any EventLoop],
                                   shards: [NIOLoopBound<LoadShard>], stop: StopFlag) async -> [Attempt] {
        await withTaskGroup(of: (Int, Attempt).self) { group in
            var attempts = [Attempt](repeating: Attempt(), count: options.connections)
            var next = 0
            func launch(_ index: Int) {
                let loop = loops[index % loops.count]
                let shard = shards[index % loops.count]
                let budget = options.messages.map { $0 / options.connections + (index < $0 % options.connections ? 1 : 0) }
                group.addTask {
                    do {
                        let (opened, server, connectTime) = try await connector.connect(addresses, narrate: false) { address in
                            try await connector.open(address, on: loop, narrate: false) { channel in
                                (channel, try addBenchHandler(to: channel, options, shard: shard, stop: stop, budget: budget))
                            }
                        }
                        let (channel, handler) = opened
                        return (index, Attempt(connection: (channel, handler, server, connectTime)))
                    } catch let error as NetworkError {
                        return (index, Attempt(failure: error))
                    } catch {
                        return (index, Attempt(failure: .io("\(error)")))
                    }
                }
            }
            while next < min(connectWindow, options.connections) {
                launch(next)
                next += 1
            }
            while let (index, attempt) = await group.next() {
                attempts[index] = attempt
                if next < options.connections {
                    launch(next)
                    next += 1
                }
            }
            return attempts
        }
    }

    /// The load handler on a new connection (on its loop, before the handshake). Half-closure
    /// is turned off: a FIN from the server ends a bench connection at once, and a TLS close
    /// completes when the server's close_notify arrives (with half-closure on, NIOSSL's closing
    /// side waits out its 5 s shutdown timeout instead).
    private static func addBenchHandler(to channel: Channel, _ options: LoadOptions, shard: NIOLoopBound<LoadShard>,
                                        stop: StopFlag, budget: Int?) throws -> NIOLoopBound<BenchConnection> {
        try channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: false)
        let handler = BenchConnection(shard: shard.value, stop: stop, pipeline: options.pipeline, budget: budget, timeout: options.target.timeout)
        try channel.pipeline.syncOperations.addHandler(handler)
        return NIOLoopBound(handler, eventLoop: channel.eventLoop)
    }

    private static func snapshots(_ shards: [NIOLoopBound<LoadShard>]) async -> [ShardSnapshot] {
        var result: [ShardSnapshot] = []
        for shard in shards {
            if let snapshot = try? await shard.eventLoop.submit({ shard.value.snapshot }).get() { result.append(snapshot) }
        }
        return result
    }

    private static func reportProgress(_ progress: @Sendable (LoadProgress) -> Void, shards: [NIOLoopBound<LoadShard>],
                               start: ContinuousClock.Instant) async {
        var lastMessages = 0
        var lastTime = start
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            var messages = 0, errors = 0
            for shard in shards {
                if let counts = try? await shard.eventLoop.submit({ (shard.value.messages, shard.value.errors) }).get() {
                    messages += counts.0
                    errors += counts.1
                }
            }
            let now = ContinuousClock.now
            let rate = Double(messages - lastMessages) / (now - lastTime).seconds
            progress(LoadProgress(elapsed: now - start, messages: messages, messagesPerSecond: rate, errors: errors))
            lastMessages = messages
            lastTime = now
        }
    }
}
