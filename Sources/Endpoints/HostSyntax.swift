import Rendering
import Addresses

/// A host as typed, checked for shape before any lookup, so a typo is a usage error (exit 2)
/// and not a failed name resolution (3).
public enum HostSyntax {
    /// Why `host` is neither an IP address nor a valid host name (RFC 1123 labels, `_` allowed),
    /// or nil when it is one of them.
    public static func problem(_ host: String) -> String? {
        if host.isEmpty { return "the host name is empty" }
        if host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) {
            do {
                _ = try AddressInput.parse(host)
                return nil
            } catch {
                return "'\(TerminalText.escape(host))' is not a valid IP address: \(error)"
            }
        }
        // A fully qualified name may end with the root's dot (`localhost.`).
        let name = host.hasSuffix(".") && host.count > 1 ? host.dropLast() : Substring(host)
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = name.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        return valid ? nil : "'\(TerminalText.escape(host))' is neither an IP address nor a valid host name"
    }
}
