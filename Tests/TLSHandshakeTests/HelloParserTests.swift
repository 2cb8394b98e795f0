import Testing
@testable import TLS

/// A ClientHello as a TLS 1.3 client sends it: record header, handshake header, body.
private func clientHelloRecord(serverName: String?, protocols: [String], versions: [UInt16]) -> [UInt8] {
    func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    var extensions: [UInt8] = []
    if let serverName {
        let name = Array(serverName.utf8)
        let entry = [0] + u16(name.count) + name
        extensions += u16(0) + u16(entry.count + 2) + u16(entry.count) + entry
    }
    if !protocols.isEmpty {
        let list = protocols.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        extensions += u16(16) + u16(list.count + 2) + u16(list.count) + list
    }
    let versionBytes = versions.flatMap { u16(Int($0)) }
    extensions += u16(43) + u16(versionBytes.count + 1) + [UInt8(versionBytes.count)] + versionBytes
    let body = u16(0x0303) + [UInt8](repeating: 7, count: 32) + [0] + u16(4) + u16(0x1301) + u16(0x1302) + [1, 0]
        + u16(extensions.count) + extensions
    let handshake = [1, 0] + u16(body.count) + body
    return [0x16, 3, 1] + u16(handshake.count) + handshake
}

@Suite("TLS hellos read off the wire")
struct HelloParserTests {
    @Test("a ClientHello: SNI, ALPN, versions, suites; fed a byte at a time")
    func clientHello() {
        let record = clientHelloRecord(serverName: "example.test", protocols: ["h2", "http/1.1"], versions: [0x0304, 0x0303])
        var collector = HelloCollector()
        var reading: HelloReading<[UInt8]> = .incomplete
        for byte in record where reading == .incomplete { reading = collector.feed([byte]) }
        guard case .hello(let message) = reading, case .hello(let hello) = HelloParser.clientHello(message) else {
            Issue.record("no hello: \(reading)")
            return
        }
        #expect(hello.serverName == "example.test" && hello.protocols == ["h2", "http/1.1"])
        #expect(hello.versions.map(TLSNames.version) == ["TLS 1.3", "TLS 1.2"] && hello.cipherSuites == [0x1301, 0x1302])
    }

    @Test("resumed or full: TLS 1.3 by an accepted pre-shared key, TLS 1.2 by the echoed session ID")
    func resumption() {
        let offered = ClientHello(sessionID: Array(repeating: 7, count: 32))
        var tls12 = ServerHello(version: 0x0303, cipherSuite: 0xC02B, sessionID: offered.sessionID)
        #expect(tls12.resumes(offered))
        tls12.sessionID = Array(repeating: 9, count: 32)
        #expect(!tls12.resumes(offered), "a new session ID: a full handshake")
        #expect(!ServerHello(version: 0x0303, cipherSuite: 0xC02B).resumes(ClientHello()), "no session offered, none echoed")
        var tls13 = ServerHello(version: 0x0304, cipherSuite: 0x1301, sessionID: offered.sessionID)
        #expect(!tls13.resumes(offered), "TLS 1.3 echoes the random legacy ID on every handshake")
        tls13.acceptedPreSharedKey = true
        #expect(tls13.resumes(offered))
    }

    @Test("plain text, an alert, and every truncation of a hello: a reading, never a trap")
    func hostileBytes() {
        var plain = HelloCollector()
        #expect(plain.feed(Array("GET / HTTP/1.1\r\n".utf8)) == .notTLS(firstBytes: Array("GET / HTTP/1.1\r\n".utf8)))
        var alert = HelloCollector()
        #expect(alert.feed([0x15, 3, 3, 0, 2, 2, 70]) == .alert(70))
        #expect(TLSNames.alert(70) == "protocol_version")
        let record = clientHelloRecord(serverName: "a", protocols: ["x"], versions: [0x0304])
        let message = Array(record.dropFirst(5))
        for cut in 0..<message.count {
            _ = HelloParser.clientHello(Array(message.prefix(cut)))
            _ = HelloParser.serverHello(Array(message.prefix(cut)))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let noise = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = HelloParser.clientHello([1] + noise)
            _ = HelloParser.serverHello([2] + noise)
            var collector = HelloCollector()
            _ = collector.feed([0x16, 3, 3] + noise)
        }
    }

    @Test("names as openssl prints them")
    func names() {
        #expect(TLSNames.cipherSuite(0x1301) == "TLS_AES_128_GCM_SHA256")
        #expect(TLSNames.cipherSuite(0xC02F) == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(TLSNames.version(0x0A0A) == "GREASE" && TLSNames.version(0x0303) == "TLS 1.2")
    }
}
