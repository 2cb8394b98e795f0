import Capture
import Foundation
import PacketFixtures
import Packets
import Testing

/// Bytes a hostile peer sends: an OSC title change ended by BEL, a clear-screen CSI, CR and LF
/// each starting a forged line, NUL, DEL, a UTF-8 C1 CSI (C2 9B), a lone C1 byte and a cursor move.
private let hostileBytes: [UInt8] = Array("A\u{1b}]0;PWNED\u{7}B\u{1b}[2JC\rFORGED\nFORGED\u{0}D\u{7f}E".utf8)
    + [0xC2, 0x9B] + Array("31mF".utf8) + [0x9B, 0x1B, 0x5B] + Array("1;1HG".utf8)

/// The same on a command line (an argument cannot hold NUL).
private let hostileArgument = "A\u{1b}]0;PWNED\u{7}B\u{1b}[2JC\rFORGED\nFORGED\u{7f}E\u{9b}31mF"

/// What a terminal must not be handed: C0 controls other than TAB, LF and CR, DEL, C1 controls
/// (as UTF-8, or as a lone byte), invalid UTF-8, and CR or LF followed by forged text. Empty
/// when the output is safe.
private func terminalProblems(_ bytes: [UInt8]) -> [String] {
    var problems: [String] = []
    for (index, byte) in bytes.enumerated() where (byte < 0x20 && ![0x09, 0x0A, 0x0D].contains(byte)) || byte == 0x7F {
        problems.append("control byte 0x\(String(byte, radix: 16)) at \(index)")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { return problems + ["invalid UTF-8 (a lone C1 byte?)"] }
    if let c1 = text.unicodeScalars.first(where: { (0x80..<0xA0).contains($0.value) }) {
        problems.append("C1 control U+\(String(c1.value, radix: 16))")
    }
    if text.contains("\rFORGED") || text.contains("\nFORGED") { problems.append("a CR or LF starts forged text") }
    return problems
}

/// Runs nettool on a pseudo-terminal (Tests/Peers/in_pty.py), as a person would: everything it
/// writes to stdout and stderr, byte for byte, is what the terminal gets.
private func onTerminal(_ arguments: [String], seconds: Double = 8) throws -> BackgroundProcess {
    let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/in_pty.py").path
    return try BackgroundProcess(try peer("python3", package: "python3"), [helper, String(seconds), Run.binary] + arguments)
}

/// The terminal's bytes once the program ended (or in_pty.py killed it at its time limit).
private func terminalBytes(_ process: BackgroundProcess, within seconds: Double = 15) -> [UInt8] {
    _ = process.waitForExit(upTo: seconds)
    return Array(process.stdout)
}

private func sendDatagram(_ bytes: [UInt8], to port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    _ = withLoopbackAddress(port: port) { sendto(fd, bytes, bytes.count, 0, $0, $1) }
}

/// Every printing path of every command, fed hostile bytes from the network or the command line.
enum PrintingPath: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case udpRecvText, udpRecvJSON, udpSendErrors
    case tcpEchoClient, tcpEchoServerLog
    case fileServerHTTPLog, fileServerRawLog, fileServerTLSHello
    case downloadHeadersAndProgress, downloadStatus, downloadRedirect, downloadURL
    case ipClassify, portClassify
    case captureText, captureVerbose, captureJSON, captureErrors
    case tour

    var testDescription: String { rawValue }
}

@Suite("nothing a peer or an argument holds reaches the terminal raw", .serialized, .timeLimit(.minutes(3)))
struct TerminalSafetyTests {
    @Test("every printing path, on a real pseudo-terminal", arguments: PrintingPath.allCases)
    func printingPath(_ path: PrintingPath) throws {
        let output = try run(path)
        #expect(!output.isEmpty, "nothing reached the terminal: the path was not exercised")
        let problems = terminalProblems(output)
        #expect(problems.isEmpty, "\(problems): \(String(decoding: output, as: UTF8.self).debugDescription)")
    }

    private func run(_ path: PrintingPath) throws -> [UInt8] {
        switch path {
        case .udpRecvText, .udpRecvJSON:
            let port = freeUDPPort()
            let receiver = try onTerminal(["udp-recv", "--bind", "127.0.0.1", "--port", "\(port)", "--count", "2", "--timeout", "5s", "--explain"]
                                          + (path == .udpRecvJSON ? ["--json"] : []))
            for _ in 0..<30 where receiver.isRunning {
                usleep(100_000)
                sendDatagram(hostileBytes, to: port)
            }
            let output = terminalBytes(receiver)
            if path == .udpRecvJSON {
                let records = String(decoding: output, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("{") }
                    .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(records.contains { $0["event"] as? String == "datagram" }, "no datagram record")
            } else {
                #expect(String(decoding: output, as: UTF8.self).contains("PWNED"), "the datagram was not shown")
            }
            return output
        case .udpSendErrors:
            let host = terminalBytes(try onTerminal(["udp-send", hostileArgument, "9", "x"]))
            let file = terminalBytes(try onTerminal(["udp-send", "127.0.0.1", "9", "--file", "/nonexistent/" + hostileArgument]))
            return host + file
        case .tcpEchoClient:
            let listener = try LoopbackListener()
            let client = try onTerminal(["tcp-echo-client", "--explain", "127.0.0.1", "\(listener.port)", "hello"])
            #expect(listener.acceptAndAnswer(hostileBytes, within: 5))
            return terminalBytes(client)
        case .tcpEchoServerLog:
            let port = try freeTCPPort()
            let server = try onTerminal(["tcp-echo-server", "--bind", "127.0.0.1", "--port", "\(port)", "--once", "--explain", "--line"])
            var client: RawTCPClient?
            for _ in 0..<50 where client == nil {
                usleep(100_000)
                client = try? RawTCPClient(port: port)
            }
            let connected = try #require(client, "tcp-echo-server did not start")
            connected.send(hostileBytes + [0x0A] + hostileBytes)
            connected.shutdownWrite()
            _ = connected.receive(for: 2)
            return terminalBytes(server)
        case .fileServerHTTPLog, .fileServerRawLog:
            let folder = try ServedFolder()
            let port = try freeTCPPort()
            let raw = path == .fileServerRawLog
            let server = try onTerminal(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "\(port)", "--explain"]
                                        + (raw ? ["--protocol", "raw"] : []), seconds: 4)
            usleep(700_000)
            let requests: [[UInt8]] = raw
                ? [hostileBytes, Array("a.txt".utf8) + hostileBytes]
                : [Array("GET /%1b]0;PWNED%07%0d%0aFORGED%c2%9b%9b HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                   Array("GET http://ev%1bil%0d%0aFORGED/a.txt HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                   Array("GET /\u{9b}31m HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                   Array("GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: ".utf8) + hostileBytes + Array("\r\n\r\n".utf8)]
            for request in requests {
                let client = try RawTCPClient(port: port)
                client.send(request)
                client.shutdownWrite()
                _ = client.receive(for: 1)
            }
            let output = terminalBytes(server)
            #expect(String(decoding: output, as: UTF8.self).contains("PWNED"), "the hostile name was not logged")
            return output
        case .fileServerTLSHello:
            // The SNI and ALPN of a ClientHello, narrated under --explain (openssl sends them as given).
            let folder = try ServedFolder()
            let port = try freeTCPPort()
            let server = try onTerminal(["file-server", "--root", folder.path, "--bind", "127.0.0.1", "--port", "\(port)", "--tls-self-signed",
                                         "--explain"], seconds: 4)
            usleep(700_000)
            _ = try Run.program(try peer("openssl", package: "openssl"),
                                ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", hostileArgument, "-alpn", hostileArgument])
            let output = terminalBytes(server)
            #expect(String(decoding: output, as: UTF8.self).contains("PWNED"), "the ClientHello was not narrated")
            return output
        case .downloadHeadersAndProgress, .downloadStatus, .downloadRedirect:
            let mode = path == .downloadStatus ? "hostile-status" : path == .downloadRedirect ? "hostile-redirect" : "hostile-text"
            let (server, port) = try hostileServer(mode)
            let folder = NSTemporaryDirectory() + "nettool-tty-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let output = terminalBytes(try onTerminal(["download", "--explain", "--progress", "http://127.0.0.1:\(port)/f.bin",
                                                      "-o", folder + "/f.bin"]))
            withExtendedLifetime(server) {}
            return output
        case .downloadURL:
            return terminalBytes(try onTerminal(["download", "http://127.0.0.1:9/" + hostileArgument]))
                + terminalBytes(try onTerminal(["download", "http://127.0.0.1:9/a", "-o", "/nonexistent/" + hostileArgument]))
        case .ipClassify:
            return terminalBytes(try onTerminal(["ip-classify", "1.2.3.4", hostileArgument, "fe80::1%" + hostileArgument]))
        case .portClassify:
            return terminalBytes(try onTerminal(["port-classify", "80", hostileArgument]))
        case .captureText, .captureVerbose, .captureJSON:
            let file = NSTemporaryDirectory() + "nettool-tty-\(UUID().uuidString.prefix(8)).pcap"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let writer = try PcapHandle.dead(linkType: .ethernet).writer(path: file)
            let label = Array(hostileBytes.prefix(60)).map { $0 == 0 ? 0x20 : $0 }
            let options = Frames.option(31, [0, 0] + Frames.be32(300) + [UInt8(label.count)] + label + [0]) + Frames.option(37, hostileBytes)
            writer.write(Frames.ndpFrame(src: "fe80::1", dst: "ff02::1", type: 134, body: Frames.routerAdvertisement(options: options)),
                         time: Timestamp(seconds: 0, microseconds: 0))
            writer.close()
            let flags = path == .captureVerbose ? ["-v"] : path == .captureJSON ? ["--json"] : []
            let output = terminalBytes(try onTerminal(["capture", "-r", file] + flags))
            #expect(String(decoding: output, as: UTF8.self).contains("PWNED"), "the options were not shown")
            return output
        case .captureErrors:
            let empty = NSTemporaryDirectory() + "nettool-tty-\(UUID().uuidString.prefix(8)).pcap"
            defer { try? FileManager.default.removeItem(atPath: empty) }
            try PcapHandle.dead(linkType: .ethernet).writer(path: empty).close()
            let filter = terminalBytes(try onTerminal(["capture", "-r", empty, "--filter", hostileArgument]))
            #expect(String(decoding: filter, as: UTF8.self).contains("bad filter expression"), "\(String(decoding: filter, as: UTF8.self))")
            return terminalBytes(try onTerminal(["capture", "-i", hostileArgument, "-c", "1"]))
                + terminalBytes(try onTerminal(["capture", "-r", "/nonexistent/" + hostileArgument])) + filter
        case .tour:
            return terminalBytes(try onTerminal(["tour", hostileArgument]))
        }
    }
}
