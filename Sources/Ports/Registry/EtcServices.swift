import HostState

extension ServiceRegistry {
    /// The host's services(5) file as a second registry; nil when it is missing.
    public static func etcServices(path: String = "/etc/services") -> ServiceRegistry? {
        readSmallFile(path).map { ServiceRegistry(records: EtcServices.parse($0)) }
    }
}

/// services(5): `name port/protocol [aliases...] [# comment]`. Aliases become records of their own.
public enum EtcServices {
    public static func parse(_ text: String) -> [ServiceRecord] {
        var records: [ServiceRecord] = []
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2 else { continue }
            let portAndProtocol = words[1].split(separator: "/")
            guard portAndProtocol.count == 2, let port = UInt16(portAndProtocol[0]) else { continue }
            let comment = rawLine.split(separator: "#", maxSplits: 1).dropFirst().first
                .map { $0.trimmingCharacters(in: " \t") } ?? ""
            for (index, name) in ([words[0]] + words.dropFirst(2)).enumerated() {
                records.append(ServiceRecord(
                    name: String(name), ports: port...port, transport: String(portAndProtocol[1]),
                    description: index == 0 ? comment : "alias of \(words[0])", reference: "", source: .etcServices))
            }
        }
        return records
    }
}
