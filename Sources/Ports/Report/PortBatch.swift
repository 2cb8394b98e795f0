import HostState
import Rendering

/// `port-classify` over its inputs: each port, range or service name classified against the
/// IANA registry, /etc/services and this host's live sockets, and written to stdout as text or
/// JSON Lines. An invalid input is a JSON record too, or in human mode a line on stderr.
public enum PortBatch {
    /// Returns false when any input was invalid.
    public static func classify(_ inputs: [String], json: Bool) -> Bool {
        let registries = [ServiceRegistry.iana] + [ServiceRegistry.etcServices()].compactMap { $0 }
        var host = HostPortState.read()
        var output = OutputStream.standardOutput()
        defer { output.flush() }
        var allValid = true
        var first = true
        for input in inputs {
            do {
                for query in try PortQuery.parse(input, registries: registries) {
                    host.resolveOwners(ports: query.ports)
                    for result in PortClassifier(registries: registries, host: host).classify(query) {
                        if json {
                            var line = JSONLine()
                            PortReport.appendJSON(result, to: &line)
                            output.writeLine(line.bytes)
                        } else {
                            output.write((first ? "" : "\n") + PortReport.text(result))
                        }
                        first = false
                    }
                }
            } catch {
                allValid = false
                if json {
                    var line = JSONLine()
                    PortReport.appendInvalidJSON(input: input, error: error, to: &line)
                    output.writeLine(line.bytes)
                } else {
                    output.flush()
                    printError("port-classify: \(TerminalText.escape(input)): \(error)")
                }
            }
        }
        return allValid
    }
}
