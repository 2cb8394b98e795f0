/// `--explain`: narrates each socket-level step with its real values and one sentence on what
/// it means. Lines go to a sink (stderr in the CLI) so stdout stays clean for results.
public struct Narrator: Sendable {
    public let isEnabled: Bool
    private let sink: @Sendable (String) -> Void

    public init(enabled: Bool, sink: @escaping @Sendable (String) -> Void) {
        self.isEnabled = enabled
        self.sink = sink
    }

    public static let silent = Narrator(enabled: false) { _ in }

    /// `call` is the system call as it happened, `meaning` the sentence for a learner.
    public func step(_ call: @autoclosure () -> String, _ meaning: @autoclosure () -> String) {
        guard isEnabled else { return }
        sink("[explain] \(call())\n          \(meaning())")
    }
}
