import Testing
@testable import Rendering

@Suite("Sizes, rates and times left, in one unit system")
struct UnitsTests {
    @Test("sizes in powers of 1024 with IEC names, as they are typed", arguments: [
        (0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1536, "1.50 KiB"), (32 << 20, "32.0 MiB"),
        (35_232_153, "33.6 MiB"), (5 << 30, "5.00 GiB"), (Int.max, "8192.0 PiB"),
    ])
    func sizes(bytes: Int, text: String) {
        #expect(ByteText.size(bytes) == text)
    }

    @Test("rates: a slow start is bytes per second, not 0.00 of a larger unit")
    func rates() {
        #expect(ByteText.rate(0) == "0 B/s")
        #expect(ByteText.rate(300) == "300 B/s")
        #expect(ByteText.rate(412.5 * 1_048_576) == "412.5 MiB/s")
        #expect(ByteText.rate(.infinity) == "- B/s")
    }

    @Test("time left is whole seconds rounded up, never 0 µs", arguments: [
        (Duration.microseconds(3), "1s"), (.zero, "0s"), (.milliseconds(59_001), "1m00s"), (.seconds(65), "1m05s"), (.seconds(7380), "2h03m"),
    ])
    func remaining(duration: Duration, text: String) {
        #expect(DurationText.remaining(duration) == text)
    }
}
