import ArgumentParser
import Endpoints

extension ExitCode {
    /// An exit code from the one table every command shares (`ExitStatus`, in Endpoints).
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}
