import Endpoints
import Histogram

public struct LoadOptions: Sendable {
    /// The server, and the timeouts every connection keeps: as for one round trip.
    public var target = EchoClientOptions()
    public var connections = 1
    /// Bytes per message.
    public var size = 64
    /// Run this long (the default: 10 s when `messages` is nil)...
    public var duration: Duration = .seconds(10)
    /// ...or until this many messages, spread evenly over the connections, came back.
    public var messages: Int?
    /// Messages in flight per connection: 1 is ping-pong.
    public var pipeline = 1
    /// Messages per connection before it is closed and a new one opened (1: a fresh connection,
    /// and with --tls a fresh handshake, per message); nil keeps every connection for the run.
    public var reconnect: Int?

    public init() {}

    /// Why the load test cannot run as asked (limits named as its options are), or nil.
    public var problem: String? {
        if !(1...10_000).contains(connections) { return "--connections must be 1-10000" }
        if !(1...(64 << 20)).contains(size) { return "--size must be 1 byte to 64 MiB" }
        if !(1...1024).contains(pipeline) { return "--pipeline must be 1-1024" }
        if let messages, messages < 1 { return "--messages must be at least 1" }
        if let reconnect, reconnect < 1 { return "--reconnect must be at least 1 message per connection" }
        if duration <= .zero { return "--duration must be longer than 0" }
        return nil
    }
}

/// Where a run stands, once a second while it runs.
public struct LoadProgress: Sendable {
    public let elapsed: Duration
    public let messages: Int
    public let messagesPerSecond: Double
    public let errors: Int
}

/// The outcome of a load run.
public struct LoadReport: Sendable {
    /// The address the connections reached (the first of the name's addresses that answered).
    public var server = Endpoint(address: .v4(0), port: 0)
    public var connections = 0
    public var failedConnections = 0
    /// Messages per connection before reconnecting; nil when connections were kept.
    public var reconnect: Int?
    /// Connections set up (TCP handshake, and TLS when asked), and the time they took: the
    /// whole run when reconnecting, else the connect phase before the clock started.
    public var handshakes = 0
    public var handshakeElapsed: Duration = .zero
    /// From connect() to a connection ready for data (the TLS handshake included), microseconds.
    public var handshakeLatency = LatencySummary()
    public var size = 0
    public var pipeline = 0
    public var messages = 0
    /// Echoed bytes, every one checked against what was sent.
    public var bytes = 0
    public var errors = 0
    /// The first few distinct error sentences.
    public var errorSamples: [String] = []
    /// From the moment every connection was set up to the last echo.
    public var elapsed: Duration = .zero
    public var latency = LatencySummary()

    public var messagesPerSecond: Double { elapsed.seconds > 0 ? Double(messages) / elapsed.seconds : 0 }
    /// Echoed megabytes (10^6 bytes) per second.
    public var megabytesPerSecond: Double { elapsed.seconds > 0 ? Double(bytes) / elapsed.seconds / 1e6 : 0 }
    public var handshakesPerSecond: Double { handshakeElapsed.seconds > 0 ? Double(handshakes) / handshakeElapsed.seconds : 0 }
}

/// Round-trip latency percentiles in microseconds.
public struct LatencySummary: Sendable {
    public var p50 = 0.0, p90 = 0.0, p99 = 0.0, p999 = 0.0, max = 0.0, mean = 0.0

    public init() {}

    /// The percentiles of a histogram of nanoseconds; zeros when it is empty.
    init(_ histogram: Histogram<UInt64>) {
        guard histogram.totalCount > 0 else { return }
        func micros(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
        p50 = micros(histogram.valueAtPercentile(50))
        p90 = micros(histogram.valueAtPercentile(90))
        p99 = micros(histogram.valueAtPercentile(99))
        p999 = micros(histogram.valueAtPercentile(99.9))
        max = micros(histogram.max)
        mean = histogram.mean / 1000
    }
}
