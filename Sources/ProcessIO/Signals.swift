import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs `handler` on SIGINT or SIGTERM instead of dying, so a command can stop cleanly and
/// print its summary. Keep the returned sources alive as long as the handling should last.
public func onTerminationSignals(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { onSignal($0, handler) }
}

/// Runs `handler` whenever signal `number` arrives. Returns once the handler is armed, so a
/// command that then says it is ready never loses a signal sent right after.
public func onSignal(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    let registered = DispatchSemaphore(value: 0)
    source.setRegistrationHandler { registered.signal() }
    source.setEventHandler(handler: handler)
    source.resume()
    registered.wait()
    return source
}
