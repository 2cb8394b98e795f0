import Rendering
import Testing
@testable import Addresses

@Suite("Batch blocks")
struct BatchTests {
    @Test("split cuts only after newlines and covers the whole range")
    func split() {
        let text = (0..<2000).map { "10.0.\($0 / 256).\($0 % 256)" }.joined(separator: "\n") + "\n"
        let bytes = Array(text.utf8)
        for parts in 1...5 {
            let pieces = AddressBatch.split(bytes, range: 0..<bytes.count, parts: parts)
            #expect(pieces.first?.lowerBound == 0)
            #expect(pieces.last?.upperBound == bytes.count)
            for (left, right) in zip(pieces, pieces.dropFirst()) {
                #expect(left.upperBound == right.lowerBound)
                #expect(bytes[left.upperBound - 1] == UInt8(ascii: "\n"))
            }
        }
    }

    @Test("JSON mode: one record per non-empty line, CRLF tolerated, invalid lines counted")
    func jsonBlock() {
        let bytes = Array("192.0.2.1\r\n\n1.2.3\n::1".utf8)
        let block = AddressBatch.Block()
        block.classify(bytes, range: 0..<bytes.count, json: true)
        let lines = String(decoding: block.output.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix(#"{"input":"192.0.2.1","valid":true"#))
        #expect(lines[1].hasPrefix(#"{"input":"1.2.3","valid":false"#))
        #expect(lines[2].contains(#""scope":"loopback""#))
        #expect(block.invalidCount == 1)
        block.reset()
        #expect(block.output.count == 0 && block.invalidCount == 0)
    }

    @Test("human mode: records start with a separator, errors are collected for stderr")
    func humanBlock() {
        let bytes = Array("127.0.0.1\nnope\n".utf8)
        let block = AddressBatch.Block()
        block.classify(bytes, range: 0..<bytes.count, json: false)
        let text = String(decoding: block.output.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\n127.0.0.1\n  version"))
        #expect(block.errors == ["nope: character 'n' is not allowed in an IPv4 address (digits and dots only)"])
    }
}
