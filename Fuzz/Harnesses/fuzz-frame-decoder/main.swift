import Capture
import Flows
import FuzzDriver
import Packets
import Rendering

private enum Fixed {
    static let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .rawIP, .null(bigEndian: false), .null(bigEndian: true)]
}

/// One frame, as capture sees it: the first byte picks the link type and how much of the frame
/// the snapshot length let through; the rest is the frame. Decoded, learnt from (neighbour
/// table, alerts), tracked (TCP) and rendered as text, -v text, JSON and ladder rows.
runFuzzer { data, size in
    guard size > 0 else { return 0 }
    let linkType = Fixed.linkTypes[Int(data[0]) % Fixed.linkTypes.count]
    let frame = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let originalLength = frame.count + Int(data[0] >> 2)
    let formats: [FrameProcessor.Format] = [.text(verbose: false), .text(verbose: true), .json, .ladder(json: false), .ladder(json: true)]
    for (index, format) in formats.enumerated() {
        // With and without the TCP tracker: relative numbers and marks, or the raw ones.
        var processor = FrameProcessor(linkType: linkType, format: format, tracker: index == 0 ? nil : TCPTracker(limit: 2))
        var output = JSONLine()
        _ = processor.process(frame, originalLength: originalLength, time: Timestamp(seconds: 1_795_000_000, microseconds: 0),
                              interface: nil, interfaceName: { _ in "eth0" }, to: &output)
    }
    return 0
}
