import ArgumentParser
import Rendering

/// `100ms`, `2s`, `1.5s`, `1m`: a duration on the command line.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        guard let value = DurationText.parse(argument) else { return nil }
        self.value = value
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// The `--explain` flag every socket command takes.
struct ExplainOption: ParsableArguments {
    @Flag(help: "Narrate each socket call (socket, bind, connect, sendto, recvfrom, close) with real values, on stderr.")
    var explain = false

    var narrator: Narrator {
        Narrator(enabled: explain) { line in printError(line) }
    }
}
