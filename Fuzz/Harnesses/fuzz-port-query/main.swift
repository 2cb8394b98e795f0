import FuzzDriver
import HostState
import Ports
import Rendering

private enum Fixed {
    static let registries = [ServiceRegistry.iana]
}

/// port-classify's argument: a port, a range, a service name, with or without /tcp or /udp;
/// each query of up to 64 ports classified and rendered as JSON and as text.
runFuzzer { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let queries = try? PortQuery.parse(text, registries: Fixed.registries) else { return 0 }
    for query in queries where query.ports.count <= 64 {
        for result in PortClassifier(registries: Fixed.registries, host: HostPortState()).classify(query) {
            var line = JSONLine()
            PortReport.appendJSON(result, to: &line)
            _ = PortReport.text(result)
        }
    }
    return 0
}
