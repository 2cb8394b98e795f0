import Rendering
import Testing

@Suite("JSON Lines writer")
struct JSONLineTests {
    private func text(_ build: (inout JSONLine) -> Void) -> String {
        var line = JSONLine()
        build(&line)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    @Test("objects, arrays, keys in writing order")
    func structure() {
        let json = text { j in
            j.beginObject()
            j.key("b"); j.int(-12)
            j.key("a"); j.beginArray(); j.bool(true); j.null(); j.string("x"); j.endArray()
            j.key("c"); j.beginObject(); j.endObject()
            j.endObject()
        }
        #expect(json == #"{"b":-12,"a":[true,null,"x"],"c":{}}"#)
    }

    @Test("a record: the event key first, fields by type, nil as null, arrays of values and of objects")
    func record() {
        let missing: String? = nil
        let port: Int? = nil
        let bytes = JSONLine.record("summary") { j in
            j.field("peer", "[::1]:7")
            j.field("bytes", 42)
            j.field("ok", true)
            j.field("note", missing)
            j.field("pid", port)
            j.field("duration_ms", milliseconds: .milliseconds(1500))
            j.field("rate", 2.0 / 3, digits: 2)
            j.array("vlan", [10, 20]) { j, id in j.int(id) }
            j.objects("uses", ["a", "b"]) { j, use in j.field("use", use) }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"event":"summary","peer":"[::1]:7","bytes":42,"ok":true,"note":null,"#
            + #""pid":null,"duration_ms":1500.000,"rate":0.67,"vlan":[10,20],"uses":[{"use":"a"},{"use":"b"}]}"# + "\n")
    }

    @Test("escaping of quotes, backslashes and control bytes")
    func escaping() {
        #expect(text { $0.string("a\"b\\c\n\t\u{1}") } == #""a\"b\\c\n\t\u0001""#)
        #expect(text { $0.string(bytes: [0x61, 0x00, 0x62]) } == #""a\u0000b""#)
        #expect(text { $0.string("\u{7f}") } == #""\u007f""#)
        // C1 controls too (a terminal may take C2 9B for CSI); other two-byte characters pass.
        #expect(text { $0.string("a\u{9b}31m\u{80}é\u{a0}ü") } == "\"a\\u009b31m\\u0080é\u{a0}ü\"")
        #expect(text { $0.string(bytes: [0xC2]) } == "\"\u{fffd}\"")
    }

    @Test("invalid UTF-8 input becomes U+FFFD, so the line stays valid JSON")
    func invalidUTF8() {
        #expect(text { $0.string(bytes: [0x61, 0xFF, 0x62]) } == "\"a\u{FFFD}b\"")
        #expect(text { $0.string(bytes: Array("é".utf8)) } == "\"é\"")
    }

    @Test("records end with a newline, and a buffer grows past its first capacity")
    func linesAndGrowth() {
        var line = JSONLine(capacity: 16)
        for index in 0..<100 {
            line.beginObject(); line.key("index"); line.int(index); line.endObject(); line.endLine()
        }
        let text = String(decoding: line.bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 100)
        #expect(text.hasPrefix(#"{"index":0}"# + "\n" + #"{"index":1}"#))
        #expect(text.hasSuffix(#"{"index":99}"# + "\n"))
    }

    @Test("reset keeps nothing of the previous line")
    func reset() {
        var line = JSONLine()
        line.beginObject(); line.key("a"); line.int(1); line.endObject()
        line.reset()
        line.beginArray(); line.int(2); line.endArray()
        #expect(String(decoding: line.bytes, as: UTF8.self) == "[2]")
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test("RFC 4648 test vectors, both ways", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("malformed base64 is refused")
    func malformed() {
        #expect(Base64.decode("Zm9") == nil)
        #expect(Base64.decode("Zm9v!A==") == nil)
        #expect(Base64.decode("Zg==Zg==") == nil)
    }
}

@Suite("Terminal escaping")
struct TerminalTextTests {
    @Test("C0, DEL, C1 and bidi overrides are shown, not obeyed; plain text passes untouched")
    func escapes() {
        #expect(TerminalText.escape("plain ascii / grüße") == "plain ascii / grüße")
        #expect(TerminalText.escape("a\u{1b}]0;x\u{7}b") == "a\\x1b]0;x\\x07b")
        #expect(TerminalText.escape("1\r\n2\t3") == "1\\r\\n2\\t3")
        #expect(TerminalText.escape("1\r\n2\t3", keepLineBreaks: true) == "1\\r\n2\t3")
        #expect(TerminalText.escape("\u{7f}\u{9b}31m\u{202e}") == "\\x7f\\u{9b}31m\\u{202e}")
    }

    @Test("raw bytes: invalid UTF-8 is shown in hex, valid multi-byte characters pass")
    func bytes() {
        #expect(TerminalText.escape(bytes: [0x61, 0xff, 0x00, 0xc3, 0xa9]) == "a\\xff\\x00é")
        #expect(TerminalText.escape(bytes: [0xc3]) == "\\xc3")
        #expect(TerminalText.escape(bytes: Array("ok".utf8)) == "ok")
    }

    @Test("printableText keeps tab and line breaks for the text-or-hex choice, refuses other controls")
    func printable() {
        #expect(printableText(Array("a\r\nb\t".utf8)) == "a\r\nb\t")
        #expect(printableText([0x1b]) == nil)
        #expect(printableText(Array("\u{9b}".utf8)) == nil)
    }
}

@Suite("Durations and sizes as typed")
struct TypedUnitsTests {
    @Test("durations", arguments: [
        ("100ms", Duration.milliseconds(100)), ("2s", .seconds(2)), ("1.5s", .milliseconds(1500)),
        ("1m", .seconds(60)), ("250us", .microseconds(250)), ("3", .seconds(3)), ("1h", .seconds(3600)),
    ])
    func durations(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test("not durations", arguments: ["", "ms", "-1s", "fast", "1e30s", "nan"])
    func notDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("sizes in powers of 1024, and what is not one")
    func sizes() {
        #expect(parseByteCount("1000") == 1000)
        #expect(parseByteCount("64K") == 65536)
        #expect(parseByteCount("500m") == 500 << 20)
        #expect(parseByteCount("2G") == 2 << 30)
        for bad in ["", "K", "0", "-5", "1.5M", "12Q", "9999999999T", "١٢"] {
            #expect(parseByteCount(bad) == nil, "\(bad)")
        }
    }
}
