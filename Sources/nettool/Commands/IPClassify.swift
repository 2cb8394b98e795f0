import Addresses
import ArgumentParser
import Endpoints
import ProcessIO
import Rendering
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct IPClassify: AsyncParsableCommand {
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

                \(ExitHelp.local)

                1 when any input is not a valid address or prefix.

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

        func validate() throws {
            if addresses.contains(where: \.isEmpty) {
                throw ValidationError("an address argument is empty: give an address such as 192.0.2.1 or 2001:db8::1")
            }
            if addresses.contains(where: { $0.contains("\n") }) {
                throw ValidationError("an address argument contains a newline: give one address per argument")
            }
        }

        func run() async throws {
            var writer = AddressBatch.Writer(json: json)
            if addresses.isEmpty {
                // Blocks of stdin are classified on every core and written in input order.
                var reader = ChunkReader(fd: 0)
                await AddressBatch.classify(chunks: { reader.next() }, cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), json: json) { block in
                    writer.write(block)
                    writer.flush()
                }
            } else {
                writer.write(AddressBatch.classify(addresses, json: json))
            }
            writer.flush()
            if writer.sawInvalid { throw ExitCode(ExitStatus.failure) }
        }
    }
}
