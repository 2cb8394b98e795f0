/// One address family or two: a server on 127.0.0.1 is not on ::1; one on [::] takes both,
/// unless IPV6_V6ONLY says otherwise.
enum DualStackLesson {
    static func run(_ tour: TourContext) throws {
        let v4Arguments = ["tcp-echo-server", "--bind", "127.0.0.1", "--port", "0"]
        guard let (_, v4Port, v4Token) = try tour.startServer(v4Arguments, lesson: .dualstack, number: 1,
                title: "A server on 127.0.0.1 is not on ::1") else { return }
        let toV6 = ["tcp-echo-client", "::1", String(v4Port), "hello"]
        let refused = try tour.run(toV6)
        let byName = ["tcp-echo-client", "localhost", String(v4Port), "hello", "--explain"]
        let named = try tour.run(byName)
        tour.cleanup.run(v4Token)
        let refusal: [String] = lines(refused.err) + ["exit status \(refused.status.map(String.init) ?? "none")"]
        let fallback: [String] = explained(named.err, ["getaddrinfo", "socket(", "connect(", "connected"])
            + lines(named.err).filter { $0.hasPrefix("echo from") }
        let bothNames = fallback.contains { $0.hasPrefix("getaddrinfo") && $0.contains("::1") }
        tour.emit(TourStep(
            lesson: .dualstack, number: 1, title: "A server on 127.0.0.1 is not on ::1",
            command: command(v4Arguments) + "   then: " + command(toV6) + "   and: " + command(byName),
            output: refusal + ["$ " + command(byName)] + fallback,
            explanation: """
                127.0.0.1 and ::1 are both "this host", but they are two addresses of two families, \
                and a socket bound to one does not hear the other: connecting to ::1 was refused. \
                \(bothNames
                    ? "Here \"localhost\" names both (see /etc/hosts) and the resolver put ::1 first (RFC 6724); nettool, like curl, tried each address in turn and got through on 127.0.0.1, where a client that tries only the first gets \"connection refused\" from a server that is running."
                    : "Here \"localhost\" names only 127.0.0.1 (see /etc/hosts); where it names ::1 too, the resolver puts ::1 first (RFC 6724), and a client that tries only the first address gets \"connection refused\" from a server that is running, while nettool and curl try each address in turn.")
                """,
            ok: refused.status == 4 && named.status == 0))

        let dualArguments = ["tcp-echo-server", "--bind", "::", "--port", "0", "--explain"]
        guard let (dual, dualPort, dualToken) = try tour.startServer(dualArguments, lesson: .dualstack, number: 2,
                title: "A server on [::] takes both families") else { return }
        let fromV4 = try tour.run(["tcp-echo-client", "127.0.0.1", String(dualPort), "over IPv4"])
        let fromV6 = try tour.run(["tcp-echo-client", "::1", String(dualPort), "over IPv6"])
        dual.poll(seconds: 3) { process in lines(process.stdout).filter { $0.contains("disconnected") }.count >= 2 }
        tour.cleanup.run(dualToken)
        let connected = lines(dual.stdout).filter { $0.contains("connected") && !$0.contains("disconnected") }
        tour.emit(TourStep(
            lesson: .dualstack, number: 2, title: "A server on [::] takes both families",
            command: command(dualArguments) + "   then clients to 127.0.0.1 and to ::1",
            output: explained(dual.stderr, ["socket(", "setsockopt(IPV6_V6ONLY", "bind("]) + ["server log:"] + connected,
            explanation: """
                One IPv6 socket bound to [::] with IPV6_V6ONLY off (Linux's default, which nettool \
                sets explicitly) takes IPv4 clients too: the kernel hands them over as IPv4-mapped \
                IPv6 addresses (::ffff:127.0.0.1), which nettool shows as the IPv4 address they are.
                """,
            ok: fromV4.status == 0 && fromV6.status == 0 && connected.contains { $0.contains("127.0.0.1:") }
                && connected.contains { $0.contains("[::1]:") }))

        let onlyArguments = ["tcp-echo-server", "--bind", "::", "--port", "0", "--ipv6-only"]
        guard let (_, onlyPort, onlyToken) = try tour.startServer(onlyArguments, lesson: .dualstack, number: 3,
                title: "IPV6_V6ONLY: IPv6 clients only") else { return }
        defer { tour.cleanup.run(onlyToken) }
        let shut = ["tcp-echo-client", "127.0.0.1", String(onlyPort), "over IPv4"]
        let out = try tour.run(shut)
        tour.emit(TourStep(
            lesson: .dualstack, number: 3, title: "IPV6_V6ONLY: IPv6 clients only",
            command: command(onlyArguments) + "   then: " + command(shut),
            output: lines(out.err) + ["exit status \(out.status.map(String.init) ?? "none")"],
            explanation: """
                With IPV6_V6ONLY set the same [::] socket is IPv6 only and the IPv4 client is \
                refused. Servers that want both families either leave it off, as above, or open two \
                sockets, one per family, on the same port (possible exactly because of this option).
                """,
            ok: out.status == 4))
    }
}
