import Addresses
import ArgumentParser
import Rendering

/// `100ms`, `2s`, `1.5s`, `1m`, `250us`: a duration on the command line, for every
/// `--timeout`-like option; a bare number is seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        let (number, scale) = units.first { argument.hasSuffix($0.suffix) }
            .map { (String(argument.dropLast($0.suffix.count)), $0.nanoseconds) } ?? (argument, 1e9)
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 9e18 else { return nil }
        self.value = .nanoseconds(Int64((value * scale).rounded()))
    }

    init(_ value: Duration) {
        self.value = value
    }

    var defaultValueDescription: String { DurationText.compact(value) }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// `1000`, `64K`, `500M`, `2G` (powers of 1024): a size on the command line.
struct ByteCountArgument: ExpressibleByArgument, Sendable {
    let bytes: Int

    init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(argument)
        var multiplier = 1
        if let last = digits.last?.uppercased().first, let unit = units[last] {
            multiplier = unit
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let value = Int(digits), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        self.bytes = bytes
    }
}

/// The `--explain` flag every socket command takes.
struct ExplainOption: ParsableArguments {
    @Flag(help: "Narrate each socket call (socket, bind, connect, sendto, recvfrom, close) with real values, on stderr.")
    var explain = false

    var narrator: Narrator {
        Narrator(enabled: explain) { line in printError(line) }
    }
}

/// Host arguments are checked for shape before any lookup, so a typo is a usage error (2),
/// not a failed name resolution (3).
enum HostArgument {
    static func validate(_ host: String) throws {
        if host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) {
            do {
                _ = try AddressInput.parse(host)
            } catch {
                throw ValidationError("'\(host)' is not a valid IP address: \(error)")
            }
            return
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !host.isEmpty && host.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        if !valid { throw ValidationError("'\(host)' is neither an IP address nor a valid host name") }
    }
}
