import Testing
@testable import Packets

@Suite("PacketReader: lengths from the wire never build a backwards range")
struct PacketReaderTests {
    @Test("a negative length (a length field minus its header) is truncation, not a trap", arguments: [-1, -8, Int.min])
    func negativeCounts(count: Int) {
        [UInt8](repeating: 0xAB, count: 8).withUnsafeBytes { bytes in
            var reader = PacketReader(bytes, offset: 2)
            #expect(throws: DecodeFailure.self) { try reader.copy(count, "field") }
            #expect(throws: DecodeFailure.self) { try reader.sub(count, "field") }
            #expect(throws: DecodeFailure.self) { try reader.skip(count, "field") }
            #expect(reader.upTo(count).isEmpty && reader.offset == 2)
            #expect(reader.upTo(100).count == 6)
        }
    }
}
