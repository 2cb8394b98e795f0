import Packets

/// MAC vendors from the IEEE's MA-L (OUI) registry, as Debian's `ieee-data` installs it.
public struct VendorDirectory: Sendable {
    public static let debianPath = "/usr/share/ieee-data/oui.txt"

    private let names: [UInt32: String]

    public init(names: [UInt32: String] = [:]) { self.names = names }

    /// Parses `oui.txt`: lines like `00-22-72   (hex)\t\tAmerican Micro-Fuel Device Corp.`
    public init(ouiText: String) {
        var names: [UInt32: String] = [:]
        for line in ouiText.split(separator: "\n") where line.contains("(hex)") {
            let parts = line.split(separator: "(hex)", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let digits = parts[0].filter { $0 != "-" && $0 != " " }
            guard digits.count == 6, let oui = UInt32(digits, radix: 16) else { continue }
            var name = parts[1].drop(while: \.isWhitespace)
            while name.last?.isWhitespace == true { name = name.dropLast() }
            names[oui] = String(name)
        }
        self.names = names
    }

    public var isEmpty: Bool { names.isEmpty }

    /// The registered vendor, "locally administered" for addresses a host made up itself
    /// (the U/L bit), else nil.
    public func vendor(of mac: MACAddress) -> String? {
        if let name = names[mac.oui] { return name }
        if (mac.value >> 40) & 0x02 != 0 { return "locally administered" }
        return nil
    }
}
