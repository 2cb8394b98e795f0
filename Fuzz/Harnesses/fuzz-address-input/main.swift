import Addresses
import FuzzDriver

/// ip-classify's stdin path: lines cut, parsed (addresses, prefixes, zones), classified and
/// rendered as JSON and as text.
runFuzzer { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for json in [true, false] {
        AddressBatch.Block().classify(bytes, range: 0..<bytes.count, json: json)
    }
    return 0
}
