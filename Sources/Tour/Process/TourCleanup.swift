import Synchronization

/// Everything the tour has started or created (processes, namespaces, folders), undone in
/// reverse order when a lesson ends or the tour is interrupted.
public final class TourCleanup: Sendable {
    private let actions = Mutex<[(id: Int, action: @Sendable () -> Void)]>([])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// Registers `action`; the returned token runs it early (and only once) with `run(_:)`.
    func add(_ action: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        actions.withLock { $0.append((id, action)) }
        return id
    }

    /// Runs one registered action now.
    func run(_ id: Int) {
        let action = actions.withLock { list -> (@Sendable () -> Void)? in
            guard let index = list.firstIndex(where: { $0.id == id }) else { return nil }
            return list.remove(at: index).action
        }
        action?()
    }

    /// Runs every action still registered, newest first. Safe to call from a signal handler's
    /// queue while the tour thread is blocked.
    public func runAll() {
        let pending = actions.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for entry in pending.reversed() { entry.action() }
    }
}
