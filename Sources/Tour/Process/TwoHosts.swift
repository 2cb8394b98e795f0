#if canImport(Glibc)
import Glibc
#endif

/// Two test hosts for a lesson: network namespaces joined by a veth pair, 198.18.0.1 and
/// fd00:198:18::1 on the left, .2 and ::2 on the right, fixed MACs and no automatic IPv6
/// link-local addresses (the wire carries only what the lesson sends). Both namespaces (and any
/// nftables table made in them) are deleted by `remove`, which the tour's cleanup also runs on
/// Ctrl-C. Needs root and `ip`.
struct TwoHosts {
    let ip: String
    let left: String, right: String
    let leftDevice: String, rightDevice: String
    /// The `ip` commands that built it, for the lesson to show.
    let commands: [[String]]
    let failure: String?
    private let removal: Int

    static let leftAddress = "198.18.0.1", rightAddress = "198.18.0.2"

    /// `ip` when the tour may make namespaces (root, iproute2 installed), else nil.
    static func ipTool() -> String? {
        guard geteuid() == 0 else { return nil }
        let candidates: [String] = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        return candidates.first { path in access(path, X_OK) == 0 }
    }

    init(_ tour: TourContext, ip: String, name: String) throws {
        self.ip = ip
        let tag = String(getpid() % 100_000)
        left = "nettool-\(name)-a\(tag)"
        right = "nettool-\(name)-b\(tag)"
        leftDevice = "\(name.prefix(4))\(tag)a"
        rightDevice = "\(name.prefix(4))\(tag)b"
        let (left, right) = (left, right)
        removal = tour.cleanup.add {
            _ = try? ChildProcess(ip, ["netns", "del", left]).wait(seconds: 5)
            _ = try? ChildProcess(ip, ["netns", "del", right]).wait(seconds: 5)
        }
        commands = [
            ["netns", "add", left], ["netns", "add", right],
            ["link", "add", leftDevice, "netns", left, "type", "veth", "peer", "name", rightDevice, "netns", right],
            ["-n", left, "link", "set", leftDevice, "address", "02:00:5e:00:aa:01", "addrgenmode", "none", "up"],
            ["-n", right, "link", "set", rightDevice, "address", "02:00:5e:00:bb:02", "addrgenmode", "none", "up"],
            ["-n", left, "addr", "add", Self.leftAddress + "/24", "dev", leftDevice],
            ["-n", right, "addr", "add", Self.rightAddress + "/24", "dev", rightDevice],
            ["-n", left, "addr", "add", "fd00:198:18::1/64", "dev", leftDevice, "nodad"],
            ["-n", right, "addr", "add", "fd00:198:18::2/64", "dev", rightDevice, "nodad"],
        ]
        var failed: String?
        for step in commands where failed == nil {
            let result = try tour.run(step, program: ip, seconds: 10)
            if result.status != 0 { failed = "ip \(step.joined(separator: " ")): \(result.err)" }
        }
        failure = failed
    }

    /// `ip netns exec NAMESPACE` in front of a command.
    func inside(_ namespace: String, _ command: [String]) -> [String] {
        ["netns", "exec", namespace] + command
    }

    func remove(_ tour: TourContext) {
        tour.cleanup.run(removal)
    }
}
