import ArgumentParser
import Capture
import Endpoints
import Rendering

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

/// udp-recv --timeout passed and not one datagram came: a failure with a sentence (and, with
/// --json, an error record), not a bare status.
struct NothingReceived: CommandFailure {
    let endpoint: Endpoint?
    let timeout: Duration

    var exitStatus: ExitStatus { .failure }
    var description: String {
        "nothing arrived on \(endpoint.map { "\($0)/udp" } ?? "the socket") within \(DurationText.compact(timeout)) (--timeout): "
            + "is the sender pointed at this address and port, and does a firewall let it through?"
    }
}
