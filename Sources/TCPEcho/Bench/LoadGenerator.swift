import Endpoints
import Histogram
import NIOCore
import NIOPosix
import Rendering

/// `tcp-echo-client --bench`: a load generator in the manner of tcpkali. It opens every
/// connection first (a bounded number of handshakes at a time, so the server's accept queue
/// does not overflow), then starts them together and measures from there. Connections are
/// spread over all event loops; each loop keeps its own histogram and counters.
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
        narrator.step("\(options.connections) × socket() + connect(\(target.host):\(target.port))",
                      "\(options.connections) connections, spread over \(loops.count) event loops (one thread per core), each doing its own three-way handshake")

        let attempts = await connectAll(options, connector: connector, addresses: addresses, loops: loops, shards: shards, stop: stop)
        let connections = attempts.compactMap(\.connection)
        guard let server = connections.first?.server else {
            throw .network(attempts.first?.failure ?? .io("no connection to \(target.host)"))
        }

        let start = ContinuousClock.now
        for (channel, handler, _) in connections {
            channel.eventLoop.execute { handler.value.start() }
        }
        narrator.step("send()/recv() × \(options.pipeline) in flight per connection",
                      options.pipeline == 1 ? "ping-pong: each connection sends one message and waits for its whole echo before the next"
                          : "pipelined: each connection keeps \(options.pipeline) messages in flight")
        let monitor = Task {
            if let progress { await reportProgress(progress, shards: shards, start: start) }
        }
        if options.messages == nil {
            try? await Task.sleep(for: options.duration)
            stop.set()
        }
        for (channel, _, _) in connections {
            try? await channel.closeFuture.get()
        }
        let elapsed = ContinuousClock.now - start
        monitor.cancel()

        var report = LoadReport()
        report.server = server
        report.connections = connections.count
        report.failedConnections = attempts.count - connections.count
        report.size = options.size
        report.pipeline = options.pipeline
        report.elapsed = elapsed
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
        for attempt in attempts {
            guard let failure = attempt.failure else { continue }
            report.errors += 1
            let sentence = failure.description
            if report.errorSamples.count < 5 && !report.errorSamples.contains(sentence) { report.errorSamples.append(sentence) }
        }
        if histogram.totalCount > 0 {
            func micros(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
            report.latency = LatencySummary(
                p50: micros(histogram.valueAtPercentile(50)), p90: micros(histogram.valueAtPercentile(90)),
                p99: micros(histogram.valueAtPercentile(99)), p999: micros(histogram.valueAtPercentile(99.9)),
                max: micros(histogram.max), mean: histogram.mean / 1000)
        }
        narrator.step("close() × \(connections.count)", "each connection sends its FIN; the server closes its side in turn")
        return report
    }

    private struct Attempt: Sendable {
        var connection: (channel: Channel, handler: NIOLoopBound<BenchConnection>, server: Endpoint)?
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
                        let (channel, server, _) = try await connector.connect(addresses, narrate: false) { address in
                            try await connector.open(address, on: loop, narrate: false) { channel in
                                let handler = BenchConnection(shard: shard.value, stop: stop, pipeline: options.pipeline,
                                                              budget: budget, timeout: options.target.timeout)
                                try channel.pipeline.syncOperations.addHandler(handler)
                                return channel
                            }
                        }
                        let handler = try await channel.pipeline.handler(type: BenchConnection.self).map {
                            NIOLoopBound($0, eventLoop: loop)
                        }.get()
                        return (index, Attempt(connection: (channel, handler, server)))
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
