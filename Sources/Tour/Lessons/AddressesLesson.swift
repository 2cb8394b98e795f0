enum AddressesLesson {
    static func run(_ tour: TourContext) throws {
        let addresses = ["127.0.0.1", "192.168.1.10", "8.8.8.8", "fe80::1%lo"]
        let result = try tour.run(["ip-classify"] + addresses)
        // Each address heads its block; its scope and global lines say what it is.
        let shown = lines(result.out).filter { !$0.hasPrefix(" ") || $0.hasPrefix("  scope") || $0.hasPrefix("  global") || $0.hasPrefix("  zone") }
        let scopes = ["loopback", "private", "public", "link-local"]
        let scopeLines = shown.filter { $0.hasPrefix("  scope") }
        let ok = result.status == 0 && scopeLines.count == 4
            && zip(scopeLines, scopes).allSatisfy { $0.0.contains($0.1) }
        tour.emit(TourStep(
            lesson: .addresses, number: 1, title: "Four addresses, four kinds",
            command: command(["ip-classify"] + addresses), output: shown,
            explanation: """
                An address says where a packet may go. Loopback (127.0.0.0/8 and ::1) never leaves \
                this machine: every lesson below uses it, so nothing here touches your network. \
                Private space (RFC 1918) is reused inside every home and office and is never routed \
                on the Internet; a public address is reachable from anywhere. An IPv6 link-local \
                address (fe80::/10) exists on every interface, works on that one link only, and \
                needs a zone (%lo) to say which link. The verdicts come from IANA's special-purpose \
                registries, which nettool carries inside it.
                """,
            ok: ok))
    }
}
