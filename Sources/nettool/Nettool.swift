import Addresses
import ArgumentParser
import Rendering
import Endpoints
import Ports
import ProcessIO
#if canImport(Glibc)
import Glibc
#endif

@main
struct Nettool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nettool",
        abstract: "A network-programming toolkit: classify addresses and ports, move bytes, and see how sockets work.",
        discussion: """
            Start here: nettool tour

            Examples:
              nettool ip-classify 192.0.0.9 2001:db8::/32 fe80::1%eth0
              nettool port-classify 5353 https domain/udp
              nettool udp-recv --port 9999
              nettool udp-send 127.0.0.1 9999 hello --explain
              nettool tcp-echo-server --port 7007
              nettool tcp-echo-client 127.0.0.1 7007 --bench --connections 64
              nettool file-server --root . --port 8080
              nettool download -c http://127.0.0.1:8080/big.iso
              sudo nettool capture -i eth0 --alerts --table
            """,
        version: versionText,
        groupedSubcommands: [
            CommandGroup(name: "Datagrams", subcommands: [UDPSend.self, UDPRecv.self]),
            CommandGroup(name: "Streams", subcommands: [TCPEchoServer.self, TCPEchoClient.self]),
            CommandGroup(name: "Files", subcommands: [FileServer.self, Download.self]),
            CommandGroup(name: "Addresses and ports", subcommands: [IPClassify.self, PortClassify.self]),
            CommandGroup(name: "Wire", subcommands: [Capture.self]),
            CommandGroup(name: "Learning", subcommands: [Tour.self]),
        ]
    )

    /// A negative number where a positional argument was meant (`udp-send 127.0.0.1 -1 hi`) reads
    /// as an unknown option, and the parser then blames the next argument. Name the real culprit.
    private static var negativeNumberHint: String? {
        guard let number = negativeNumberArgument(CommandLine.arguments.dropFirst()) else { return nil }
        return "Error: \(number) is a negative number, and no option: ports, counts and sizes are 0 or more. "
            + "(To pass text that starts with '-', put -- before it.)\nSee 'nettool \(CommandLine.arguments.dropFirst().first ?? "") --help'."
    }

    static let versionText = """
        nettool 0.1.0
        IANA IPv4 Special-Purpose Address Registry: last updated \(SpecialPurposeRegistry.ipv4LastUpdated)
        IANA IPv6 Special-Purpose Address Registry: last updated \(SpecialPurposeRegistry.ipv6LastUpdated)
        IANA IPv4 Multicast Address Space: last updated \(SpecialPurposeRegistry.ipv4MulticastLastUpdated)
        IANA IPv6 Address Space: last updated \(SpecialPurposeRegistry.ipv6AddressSpaceLastUpdated)
        IANA Service Name and Port Number Registry: newest record \(ServiceRegistry.newestRecordDate)
        """

    /// Runs the command; a command's failure becomes `nettool: <sentence>` and its exit status,
    /// a usage error exit status 2 (ArgumentParser's default is 64). With --json the failure
    /// also ends stdout as an `error` record: the one place, so every command does it.
    static func main() async {
        ResourceLimits.raiseOpenFiles()
        // Before parsing, --json among the options (a usage error has no command to ask).
        var json = CommandLine.arguments.dropFirst().prefix { $0 != "--" }.contains("--json")
        do {
            var command = try parseAsRoot()
            json = answersInJSON(command)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            fail(error, json: json)
        }
    }

    /// Ends the run for `error`: its sentence on stderr, with `json` its record on stdout too,
    /// and the exit status from the table.
    private static func fail(_ error: any Error, json: Bool) -> Never {
        if let failure = error as? any CommandFailure {
            report(failure.description, status: failure.exitStatus, failure: failure, json: json)
        }
        if exitCode(for: error) == .validationFailure {
            report(message(for: error), status: .usage, failure: nil, json: json, stderr: negativeNumberHint ?? fullMessage(for: error))
        }
        exit(withError: error)
    }

    /// `stderr`: what to print there instead of `nettool: <message>` (a usage error's help).
    private static func report(_ message: String, status: ExitStatus, failure: (any CommandFailure)?, json: Bool,
                               stderr: String? = nil) -> Never {
        printError(stderr ?? "nettool: \(message)")
        if json { OutputStream.write(ErrorRecord.json(status: status, message: message, failure: failure)) }
        Glibc.exit(status.rawValue)
    }
}
