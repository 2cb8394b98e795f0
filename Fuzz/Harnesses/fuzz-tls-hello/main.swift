import FuzzDriver
import TLS

/// A ClientHello and a ServerHello as --explain reads them off the wire.
runFuzzer { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = HelloParser.clientHello(bytes)
    _ = HelloParser.serverHello(bytes)
    return 0
}
