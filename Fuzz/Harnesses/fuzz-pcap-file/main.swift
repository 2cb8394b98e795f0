import Capture
import FuzzDriver
import Glibc
import Packets
import Rendering

private enum Fixed {
    static let path = "/tmp/nettool-fuzz-\(getpid()).pcap"
}

/// A whole pcap or pcapng file as `capture -r` reads it: libpcap opens it, nettool reads each
/// packet and decodes it in every format, until the end or an error.
runFuzzer { data, size in
    let file = fopen(Fixed.path, "w")!
    fwrite(data, 1, size, file)
    fclose(file)
    defer { unlink(Fixed.path) }
    guard let handle = try? PcapHandle.offline(path: Fixed.path) else { return 0 }
    var processor = FrameProcessor(linkType: handle.linkType, format: .json)
    var output = JSONLine()
    while case .packet(let packet)? = try? handle.next() {
        _ = processor.process(packet.bytes, originalLength: packet.originalLength, time: packet.time, interface: nil,
                              interfaceName: { _ in nil }, to: &output)
        output.reset()
    }
    return 0
}
