import ArgumentParser
import Capture
import Endpoints

extension ExitCode {
    /// An exit code from the one table every command shares (`ExitStatus`, in Endpoints).
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}

/// A capture that cannot start or go on is a failure the sentence names.
extension CaptureError: CommandFailure {
    public var exitStatus: ExitStatus { .failure }
}
