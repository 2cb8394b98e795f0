import Addresses
import ArgumentParser
import Rendering

extension Nettool {
    struct IPClassify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ip-classify",
            abstract: "Say what kind of address an IPv4/IPv6 address or prefix is, from the IANA registries.",
            discussion: """
                Each input is an address (192.0.2.1, 2001:db8::1, ::ffff:192.0.2.1, fe80::1%eth0) or a \
                prefix (10.0.0.0/8, 2001:db8::/32). With no arguments, reads one per line from stdin.

                Prints the canonical form, a scope word, whether the address is globally reachable, every \
                matching IANA registry row (most specific first) and what is embedded in it: IPv4-mapped, \
                6to4, Teredo and NAT64 addresses, multicast scope and group names. For a prefix: netmask, \
                wildcard, broadcast, host range and counts.

                Scopes: \(AddressScope.allCases.map(\.rawValue).joined(separator: ", ")).

                Exit status: 0 when every input is valid, 1 when any is not, 2 for usage errors.

                Examples:
                  nettool ip-classify 192.0.0.9 2001:0:4136:e378:8000:63bf:3fff:fdd2
                  nettool ip-classify 192.168.1.0/24
                  cat addresses.txt | nettool ip-classify --json
                """,
            version: Nettool.versionText
        )

        @Argument(help: "Addresses or prefixes. Reads stdin, one per line, when none are given.")
        var addresses: [String] = []

        @Flag(help: "One JSON object per input (JSON Lines).")
        var json = false

        func run() throws {
            var classifier = BatchClassifier(json: json)
            if addresses.isEmpty {
                var reader = LineReader(fd: 0)
                reader.forEachLine({ classifier.process($0) }, afterChunk: { classifier.output.flush() })
            } else {
                for address in addresses {
                    var bytes = Array(address.utf8)
                    bytes.withUnsafeMutableBufferPointer { classifier.process(UnsafeBufferPointer($0)) }
                }
            }
            classifier.output.flush()
            if classifier.sawInvalid { throw ExitCode(ExitStatus.failure) }
        }
    }
}

/// Classifies lines and writes results; shared by arguments and stdin so both behave the same.
struct BatchClassifier {
    let json: Bool
    var output = OutputStream.standardOutput()
    var sawInvalid = false
    private var line = JSONLine(capacity: 4096)
    private var first = true

    init(json: Bool) { self.json = json }

    mutating func process(_ input: UnsafeBufferPointer<UInt8>) {
        line.reset()
        do {
            let parsed = try AddressInput.parse(bytes: input)
            let classification = AddressClassifier.classify(parsed)
            if json {
                AddressJSON.appendValid(input: input, classification, to: &line)
                output.writeLine(line.bytes)
            } else {
                if !first { output.write("\n") }
                output.write(AddressText.render(classification))
            }
        } catch {
            sawInvalid = true
            if json {
                AddressJSON.appendInvalid(input: input, error: error, to: &line)
                output.writeLine(line.bytes)
            } else {
                output.flush()
                printError("ip-classify: \(String(decoding: input, as: UTF8.self)): \(error)")
            }
        }
        first = false
    }
}
