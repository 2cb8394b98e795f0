#if canImport(Glibc)
import Glibc
#endif

/// A `nettool capture … --json` that a lesson runs around an exchange to show it on the wire:
/// started (and waited on until it captures) before the exchange, ended with SIGINT after it,
/// its JSON records read back. Stopped at cleanup if the tour is interrupted.
struct WireCapture {
    /// Capturing needs root or CAP_NET_RAW; the tour asks for root, as `sudo nettool tour` gives it.
    static var allowed: Bool { geteuid() == 0 }
    static let notAllowed = "capturing packets needs root or CAP_NET_RAW (sudo nettool tour)"

    /// The capture as a person would type it.
    let typed: String
    private let process: ChildProcess
    private let token: Int
    private let cleanup: TourCleanup

    /// `nettool ARGUMENTS`, or inside `namespace` of `hosts` (`ip netns exec …`).
    init(_ tour: TourContext, _ arguments: [String], in namespace: String? = nil, of hosts: TwoHosts? = nil) throws {
        typed = command(arguments) + (namespace.map { "   (in \($0))" } ?? "")
        if let namespace, let hosts {
            (process, token) = try tour.start(hosts.inside(namespace, [tour.nettool] + arguments), program: hosts.ip)
        } else {
            (process, token) = try tour.start(arguments)
        }
        cleanup = tour.cleanup
        process.poll(seconds: 10) { $0.stderr.contains("capturing on") || $0.exitStatus != nil }
    }

    /// Ends the capture once what it should see has had `settle` seconds to arrive; its records,
    /// or nil when it failed (its stderr then says why).
    func finish(settle: Double = 0.3) -> (records: [JSONValue], failure: String?) {
        usleep(useconds_t(settle * 1_000_000))
        process.signal(SIGINT)
        let status = process.wait(seconds: 10)
        cleanup.run(token)
        let records = JSONValue.lines(process.stdout)
        guard status == 0 else {
            let reason = lines(process.stderr).filter { !$0.hasPrefix("capturing on") }.joined(separator: " ")
            return (records, "the capture failed: \(reason.isEmpty ? "exit status \(status.map(String.init) ?? "none")" : reason)")
        }
        return (records, nil)
    }
}

extension [JSONValue] {
    /// The records whose `event` is `name`.
    func events(_ name: String) -> [JSONValue] { filter { $0["event"]?.string == name } }
}

extension JSONValue {
    /// A captured TCP segment's record in a short line: `54321 > 7007 [SYN] seq 0 ack 0 len 0`,
    /// with its analysis marks.
    var segmentLine: String {
        let ports = "\(self["src_port"]?.int ?? 0) > \(self["dst_port"]?.int ?? 0)"
        let numbers = "seq \(self["seq"]?.int ?? 0) ack \(self["ack"]?.int ?? 0) len \(self["payload_length"]?.int ?? 0)"
        let marks = self["analysis"]?.strings ?? []
        return "\(ports) [\(self["flags"]?.strings.joined(separator: ", ") ?? "")] \(numbers)"
            + (marks.isEmpty ? "" : "  !! " + marks.joined(separator: ", "))
    }

    var flags: [String] { self["flags"]?.strings ?? [] }
}
