import Packets
import Ports

/// The IANA names of the well-known UDP ports (0-1023), for capture's lines: `domain`, `ntp`.
/// Built once, on the first UDP datagram.
enum ServiceNames {
    static let udp: [String?] = {
        var names = [String?](repeating: nil, count: 1024)
        for record in ServiceRegistry.iana.records where record.transport == "udp" {
            guard let ports = record.ports, ports.count == 1, ports.lowerBound < 1024, names[Int(ports.lowerBound)] == nil else { continue }
            names[Int(ports.lowerBound)] = record.name
        }
        return names
    }()

    /// The destination's name when it is a well-known port, else the source's.
    static func udp(_ datagram: UDPDatagram) -> String? {
        if datagram.destinationPort < 1024, let name = udp[Int(datagram.destinationPort)] { return name }
        if datagram.sourcePort < 1024, let name = udp[Int(datagram.sourcePort)] { return name }
        return nil
    }
}
