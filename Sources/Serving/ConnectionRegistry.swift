import NIOCore
import Synchronization

/// The server's open connections and running totals, shared by all event loops. Touched once
/// when a connection opens and once when it closes, never per read, so a lock is cheap here.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [Int: Channel] = [:]
        var nextID = 1
        var summary = ServerSummary()
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var accepting = true
    }

    private let state = Mutex(State())
    private let maxConnections: Int?

    public init(maxConnections: Int?) {
        self.maxConnections = maxConnections
    }

    /// Registers a new connection: its id and the number now open, or nil when it is over the
    /// limit (or the server is shutting down) and must be closed.
    public func admit(_ channel: Channel) -> (id: Int, open: Int)? {
        state.withLock { state in
            guard state.accepting, state.open.count < (maxConnections ?? .max) else {
                state.summary.rejected += 1
                return nil
            }
            let id = state.nextID
            state.nextID += 1
            state.open[id] = channel
            state.summary.connections += 1
            state.summary.peakConcurrent = max(state.summary.peakConcurrent, state.open.count)
            return (id, state.open.count)
        }
    }

    public func release(id: Int, bytes: Int, closedByServer: Bool) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.open.removeValue(forKey: id) != nil else { return [] }
            state.summary.bytes += bytes
            if closedByServer { state.summary.closedAtShutdown += 1 }
            guard state.open.isEmpty else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        waiters.forEach { $0.resume() }
    }

    public func stopAccepting() {
        state.withLock { $0.accepting = false }
    }

    /// Asks every open connection to close (the end of the grace period).
    public func closeAll() {
        let channels = state.withLock { Array($0.open.values) }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ShutdownRequest())
        }
    }

    /// Returns once no connection is open.
    public func drained() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.open.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    public var summary: ServerSummary { state.withLock { $0.summary } }
}

/// Sent down a connection's pipeline to close it at the end of the grace period.
public struct ShutdownRequest: Sendable {
    public init() {}
}

/// What a server did, from start to stop.
public struct ServerSummary: Sendable {
    public var connections = 0
    public var rejected = 0
    public var peakConcurrent = 0
    /// Bytes the server sent (echoed, or served).
    public var bytes = 0
    /// Connections still open when the grace period ended, closed by the server.
    public var closedAtShutdown = 0
    public var elapsed: Duration = .zero
}
