import NIOSSL
import Testing
@testable import TLS

@Suite("TLS failures as sentences: the peer's names escaped, the library's codes in words")
struct TLSFailureTests {
    @Test("a line feed or a TAB in a name the peer sent never reaches a sentence raw")
    func peerTextEscaped() {
        let failures: [TLSFailure] = [
            .nameMismatch(expected: "localhost", names: ["evil\nFORGED", "tab\there"]),
            .selfSigned(subject: "CN=evil\nFORGED", cacertGiven: false),
            .unknownIssuer(subject: "CN=a\nFORGED", issuer: "CN=b\nFORGED", cacertGiven: true),
            .expired(subject: "CN=\nFORGED", notAfter: "2020", now: "2026"),
            .alert("x\nFORGED", fromServer: true),
            .handshake("\nFORGED"),
        ]
        for failure in failures {
            #expect(!failure.description.contains("\n") && !failure.description.contains("\t"), "\(failure.description.debugDescription)")
            #expect(failure.description.contains("\\nFORGED") || failure.description.contains("\\t"))
        }
    }

    @Test("the library's synthetic end of handshake is a sentence about the peer")
    func endOfHandshake() {
        let eof = NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake]))
        #expect(TLSFailure.library(eof, peerIsServer: false) == .handshake("the client closed the connection during the handshake"))
        #expect(TLSFailure.library(eof, peerIsServer: true)?.description.contains("EOF") == false)
        #expect(TLSFailure.isUncleanShutdown(NIOSSLError.uncleanShutdown) && !TLSFailure.isUncleanShutdown(NIOSSLError.readInInvalidTLSState))
        #expect(TLSFailure.library(CancellationError(), peerIsServer: true) == nil)
    }

    @Test("a change-cipher-spec or application-data record first is TLS out of order, not plain text")
    func recordBeforeHandshake() {
        var data = HelloCollector()
        #expect(data.feed([0x17, 3, 3, 0, 2, 1, 2]) == .malformed("a TLS application-data record before any handshake"))
        var change = HelloCollector()
        #expect(change.feed([0x14, 3, 3, 0, 1, 1]) == .malformed("a TLS change-cipher-spec record before any handshake"))
    }
}
