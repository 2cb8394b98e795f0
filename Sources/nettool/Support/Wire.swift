import Addresses
import ArgumentParser
import Capture
import Endpoints
import Packets
import Rendering

/// `--wire`: the command captures its own connection (or datagrams) and prints each packet in
/// tcpdump's words among --explain's lines (tcp-echo-client, udp-send, download).
struct WireOption: ParsableArguments {
    @Flag(help: "Capture this command's own packets on the route's interface and show each one (SYN →, ← SYN-ACK, …) among --explain's lines, on stderr (--json: 'wire' records). Needs root or CAP_NET_RAW.")
    var wire = false

    /// Starts following the flow to `host`:`port` before the command connects, or says in one
    /// line why it cannot and returns nil (the command carries on without it). `jsonToStdout`:
    /// --json whose stdout is the record stream, not the peer's data. `narrated`: --explain is
    /// on, so packets wait for the narration's next line (`ExplainOption.narrator(syncing:)`).
    func start(_ transport: WireFlow.Transport, host: String, port: Int, family: FamilyPreference = .any,
               address: IPAddress? = nil, json: Bool, jsonToStdout: Bool, narrated: Bool) -> FlowTap? {
        guard wire else { return nil }
        let peers: [IPAddress]
        if let address {
            peers = [address]
        } else {
            // A name that does not resolve is the command's own error to report.
            guard let resolved = try? Resolver.resolve(host, port: port, family: family, transport: transport == .tcp ? .tcp : .udp)
            else { return nil }
            peers = resolved.compactMap { Endpoint($0)?.address }
        }
        guard let first = peers.first else { return nil }
        do {
            guard let interface = try CaptureInterface.route(to: first) else {
                printError("nettool: --wire: no route to \(first); carrying on without it")
                return nil
            }
            let flow = WireFlow(transport: transport, peers: peers, port: UInt16(port))
            let tap = try FlowTap.start(flow, interface: interface, holds: narrated) { packet in
                var clock = TimestampFormatter()
                if !json { return printError(packet.text(clock: &clock)) }
                let record = packet.json(interface: interface, clock: &clock)
                if jsonToStdout { OutputStream.write(record) } else { OutputStream.writeAll(record, to: 2) }
            }
            if !json { printError("[wire] capturing on \(interface): \(tap.filter)") }
            return tap
        } catch {
            printError("nettool: --wire: \(error.description); carrying on without it")
            return nil
        }
    }
}

extension ExplainOption {
    /// The narrator, its lines kept in order with `tap`'s packets. `callFirst`: the command
    /// narrates a call before making it (TCP: connect(), send()), so the packets captured
    /// before a line belong above it; otherwise after it (udp-send narrates each send once done).
    func narrator(syncing tap: FlowTap?, callFirst: Bool) -> Narrator {
        guard let tap else { return narrator }
        return Narrator(enabled: explain) { line in
            if callFirst { tap.sync() }
            printError(line)
            if !callFirst { tap.sync() }
        }
    }
}

extension OutputStream {
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { writeAll($0, to: fd) }
    }
}
