import Foundation
import Testing

@Suite("--json failures end with an error record; download's statuses are the table's; retries are announced",
       .serialized, .timeLimit(.minutes(2)))
struct JSONErrorRecordTests {
    @Test("--json: a refused tcp-echo-client ends stdout with an error record")
    func refusedEchoRecord() throws {
        let port = try freeTCPPort()
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "\(port)", "hello", "--json"])
        #expect(run.status == 4, "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(run.stdout.hasPrefix(#"{"event":"error","#), "\(run.stdout)")
        #expect(record["exit_status"] as? Int == 4 && record["host"] as? String == "127.0.0.1" && record["port"] as? Int == port, "\(record)")
        #expect((record["message"] as? String)?.hasPrefix("connection refused") == true && run.stderr.contains("connection refused"))
    }

    @Test("download: a refusal exits 4 at once (no retries), with an error record under --json")
    func refusedDownload() throws {
        let port = try freeTCPPort()
        let started = Date()
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/x", "-o", NSTemporaryDirectory() + "nettool-refused", "--json"])
        #expect(Date().timeIntervalSince(started) < 1, "retried a refusal")
        #expect(run.status == 4, "\(run.stderr)")
        #expect(!run.stderr.contains("retrying"), "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(record["event"] as? String == "error" && record["exit_status"] as? Int == 4 && record["port"] as? Int == port, "\(record)")
    }

    @Test("download: a 404 under --json is an error record with the HTTP status, exit 1")
    func notFoundRecord() throws {
        let folder = try ServedFolder()
        let (server, port) = try startFileServer(folder)
        defer { server.signal(SIGKILL) }
        let run = try Run.nettool(["download", "http://127.0.0.1:\(port)/missing.txt", "-o", folder.path + "/m", "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(record["event"] as? String == "error" && record["http_status"] as? Int == 404 && record["exit_status"] as? Int == 1, "\(record)")
        #expect((record["message"] as? String)?.contains("404 Not Found: /missing.txt") == true, "\(record)")
    }

    @Test("udp-send: a failure under --json is an error record")
    func udpSendRecord() throws {
        let run = try Run.nettool(["udp-send", "255.255.255.255", "9", "x", "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(record["event"] as? String == "error" && record["exit_status"] as? Int == 1 && record["port"] as? Int == 9, "\(record)")
        #expect((record["message"] as? String)?.contains("needs --broadcast") == true, "\(record)")
    }

    @Test("a usage error under --json is an error record with status 2; after -- the text is no option")
    func usageRecord() throws {
        let run = try Run.nettool(["tcp-echo-client", "127.0.0.1", "70000", "x", "--json"])
        #expect(run.status == 2, "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(record["event"] as? String == "error" && record["exit_status"] as? Int == 2, "\(record)")
        #expect((record["message"] as? String)?.contains("70000") == true, "\(record)")
        let payload = try Run.nettool(["udp-send", "127.0.0.1", "0", "--", "--json"])
        #expect(payload.status == 2 && payload.stdout.isEmpty, "\(payload.stdout)")
    }

    @Test("download: a stalled transfer exits 5 and each retry is announced on stderr")
    func retryAnnounced() throws {
        let listener = try LoopbackListener(backlog: 8)
        let run = try Run.nettool(["download", "http://127.0.0.1:\(listener.port)/x", "-o", NSTemporaryDirectory() + "nettool-stalled",
                                   "--timeout", "200ms", "--retries", "2", "--retry-delay", "50ms"])
        #expect(run.status == 5, "\(run.stderr)")
        let announced = run.stderr.split(separator: "\n").filter { $0.hasPrefix("nettool: retrying in 50ms (attempt ") }
        #expect(announced.count == 2 && announced.last?.contains("(attempt 3 of 3): 127.0.0.1:\(listener.port) sent nothing for 200ms") == true,
                "\(run.stderr)")
    }

    @Test("udp-recv: --timeout with nothing received is a sentence and, under --json, an error record; exit 1")
    func nothingReceived() throws {
        let run = try Run.nettool(["udp-recv", "--bind", "127.0.0.1", "--port", "0", "--timeout", "200ms", "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let record = try #require(run.jsonLines.last, "stdout: \(run.stdout)")
        #expect(record["event"] as? String == "error" && record["exit_status"] as? Int == 1 && record["host"] as? String == "127.0.0.1",
                "\(record)")
        #expect(run.stderr.contains("nothing arrived on 127.0.0.1:") && run.stderr.contains("within 200ms (--timeout)"), "\(run.stderr)")
    }
}
