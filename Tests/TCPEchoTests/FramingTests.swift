import NIOCore
import TCPEcho
import Testing

private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
private func text(_ buffer: ByteBuffer?) -> String? { buffer.map { String(buffer: $0) } }

@Suite("Line framing: bytes in, complete lines out")
struct LineFramerTests {
    @Test("a line split over several reads comes out whole, once its newline arrives")
    func splitLine() throws {
        var framer = LineFramer()
        framer.append(buffer("hel"))
        #expect(try framer.nextLine() == nil)
        framer.append(buffer("lo\nwor"))
        #expect(text(try framer.nextLine()) == "hello\n")
        #expect(try framer.nextLine() == nil)
        #expect(framer.pendingBytes == 3)
        framer.append(buffer("ld\n"))
        #expect(text(try framer.nextLine()) == "world\n")
    }

    @Test("several lines in one read come out one by one")
    func manyLines() throws {
        var framer = LineFramer()
        framer.append(buffer("a\nbb\n\nccc"))
        #expect(text(try framer.nextLine()) == "a\n")
        #expect(text(try framer.nextLine()) == "bb\n")
        #expect(text(try framer.nextLine()) == "\n")
        #expect(try framer.nextLine() == nil)
        #expect(text(framer.remainder()) == "ccc")
        #expect(framer.remainder() == nil)
    }

    @Test("every split of the same input gives the same lines")
    func everySplit() throws {
        let input = "first line\nsecond\n\nthird without end"
        let bytes = Array(input.utf8)
        for cut in 0...bytes.count {
            var framer = LineFramer()
            var lines: [String] = []
            for part in [bytes[..<cut], bytes[cut...]] {
                framer.append(ByteBuffer(bytes: part))
                while let line = try framer.nextLine() { lines.append(String(buffer: line)) }
            }
            if let rest = framer.remainder() { lines.append(String(buffer: rest)) }
            #expect(lines == ["first line\n", "second\n", "\n", "third without end"], "cut at \(cut)")
        }
    }

    @Test("more than the limit without a newline is refused, not buffered")
    func tooLong() {
        var framer = LineFramer(maxLineLength: 8)
        framer.append(buffer("123456789"))
        #expect(throws: LineFramer.LineTooLong.self) { try framer.nextLine() }
    }

    // Found by fuzz-line-framer: a line over the limit passed when its newline came in the same read.
    @Test("a line over the limit is refused even when its newline came with it")
    func tooLongWithNewline() throws {
        var framer = LineFramer(maxLineLength: 8)
        framer.append(buffer("12345678\n123456789\n"))
        #expect(text(try framer.nextLine()) == "12345678\n")
        #expect(throws: LineFramer.LineTooLong.self) { try framer.nextLine() }
    }
}

@Suite("The load generator's byte pattern")
struct StreamPatternTests {
    @Test("messages laid end to end form the pattern, so the checker accepts them")
    func messagesFormTheStream() {
        let pattern = StreamPattern()
        for size in [1, 64, 250, 251, 252, 16_384, 70_000] {
            let storage = StreamPattern.messageStorage(size: size)
            var stream: [UInt8] = []
            for number in 0..<5 {
                let offset = StreamPattern.offset(ofMessage: number, size: size)
                stream += storage.getBytes(at: offset, length: size)!
            }
            let mismatch = stream.withUnsafeBytes { pattern.firstMismatch($0, at: 0) }
            #expect(mismatch == nil, "size \(size)")
            // A piece from the middle checks out at its own offset, and not one byte off.
            let middle = Array(stream[(size + 3)...])
            #expect(middle.withUnsafeBytes { pattern.firstMismatch($0, at: size + 3) } == nil)
            #expect(middle.withUnsafeBytes { pattern.firstMismatch($0, at: size + 4) } == size + 4)
        }
    }

    @Test("a corrupted byte is reported at its stream offset")
    func corruption() {
        let pattern = StreamPattern()
        let storage = StreamPattern.messageStorage(size: 200_000)
        var bytes = storage.getBytes(at: 0, length: 200_000)!
        bytes[150_001] ^= 0x40
        #expect(bytes.withUnsafeBytes { pattern.firstMismatch($0, at: 0) } == 150_001)
    }
}

@Suite("How an echo that differs is described")
struct EchoMismatchTests {
    @Test("a matching echo has no description")
    func matches() {
        #expect(EchoMismatch.describe(sent: Array("abc".utf8), echo: Array("abc".utf8)) == nil)
    }

    @Test("text: the first differing byte and both sides")
    func differs() throws {
        let text = try #require(EchoMismatch.describe(sent: Array("hello".utf8), echo: Array("HELLO".utf8)))
        #expect(text.contains("differs from what was sent at byte 0 (of 5)"))
        #expect(text.contains("- sent: \"hello\""))
        #expect(text.contains("+ echo: \"HELLO\""))
    }

    @Test("a short or long echo says how many bytes are missing or extra")
    func lengths() throws {
        #expect(try #require(EchoMismatch.describe(sent: Array("hello".utf8), echo: Array("hel".utf8))).contains("2 bytes fewer"))
        #expect(try #require(EchoMismatch.describe(sent: Array("hi".utf8), echo: Array("hi!!".utf8))).contains("2 bytes more"))
    }

    @Test("binary payloads are shown as hex from near the difference")
    func binary() throws {
        let sent = [UInt8](0..<40), echo = sent.enumerated().map { $0.offset == 30 ? 0xff : $0.element }
        let text = try #require(EchoMismatch.describe(sent: sent, echo: echo))
        #expect(text.contains("at byte 30 (of 40)"))
        #expect(text.contains("- sent: …0e 0f 10"))
        #expect(text.contains("(hex, from byte 14)"))
        #expect(text.contains(" ff "))
    }
}

@Suite("Load options")
struct LoadOptionsTests {
    @Test("limits are named as the options that set them")
    func limits() {
        var options = LoadOptions()
        #expect(options.problem == nil)
        options.connections = 10_001
        #expect(options.problem == "--connections must be 1-10000")
        options.connections = 64
        options.size = 0
        #expect(options.problem == "--size must be 1 byte to 64 MiB")
        options.size = 64
        options.pipeline = 2000
        #expect(options.problem == "--pipeline must be 1-1024")
        options.pipeline = 16
        options.messages = 0
        #expect(options.problem == "--messages must be at least 1")
        options.messages = nil
        options.duration = .zero
        #expect(options.problem == "--duration must be longer than 0")
    }
}
