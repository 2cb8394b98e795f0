import Rendering
/// Everything that stops a capture, each with a sentence a person can act on.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case permissionDenied(interface: String)
    case noSuchInterface(String, available: [String])
    case interfaceDown(String)
    case promiscuousDenied(String)
    case badFilter(expression: String, message: String)
    case cannotReadFile(path: String, message: String)
    case cannotWriteFile(path: String, message: String)
    case noInterfaces
    case failed(String)

    public var description: String {
        switch self {
        case .permissionDenied(let interface):
            "capturing on \(interface) needs root or CAP_NET_RAW (try: sudo setcap cap_net_raw,cap_net_admin=eip $(which nettool))"
        case .noSuchInterface(let name, let available):
            "no such interface: \(TerminalText.escape(name)); interfaces here: \(available.joined(separator: ", ")) (see `nettool capture --list-interfaces`)"
        case .interfaceDown(let name):
            "interface \(name) is down; bring it up first (ip link set \(name) up)"
        case .promiscuousDenied(let name):
            "promiscuous mode on \(name) needs root or CAP_NET_ADMIN; drop --promiscuous or add the capability"
        case .badFilter(let expression, let message):
            "bad filter expression '\(TerminalText.escape(expression))': \(TerminalText.escape(message))"
        case .cannotReadFile(let path, let message):
            "cannot read capture file \(TerminalText.escape(path)): \(TerminalText.escape(message))"
        case .cannotWriteFile(let path, let message):
            "cannot write capture file \(TerminalText.escape(path)): \(TerminalText.escape(message))"
        case .noInterfaces:
            "no interface to capture on (libpcap found none); name one with -i"
        case .failed(let message):
            message
        }
    }
}
