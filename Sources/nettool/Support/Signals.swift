import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs `handler` on SIGINT or SIGTERM instead of dying, so a command can stop cleanly and
/// print its summary. Keep the returned sources alive as long as the handling should last.
func onTerminationSignals(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
