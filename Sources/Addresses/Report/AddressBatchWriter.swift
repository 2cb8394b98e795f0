import Rendering

extension AddressBatch {
    /// Writes blocks' results in order: the records on stdout, and in human mode the errors on
    /// stderr, each after the records before it.
    public struct Writer {
        public let json: Bool
        private var output = OutputStream.standardOutput()
        public private(set) var sawInvalid = false
        private var wroteRecord = false

        public init(json: Bool) { self.json = json }

        public mutating func write(_ result: Block) {
            if result.invalidCount > 0 { sawInvalid = true }
            result.output.withBytes { all in
                var bytes = all[...]
                if !json && !wroteRecord && bytes.first == UInt8(ascii: "\n") { bytes = bytes.dropFirst() }
                if !bytes.isEmpty { wroteRecord = true }
                output.write(UnsafeBufferPointer(rebasing: bytes))
            }
            if !result.errors.isEmpty {
                output.flush()
                for error in result.errors { printError("ip-classify: \(error)") }
            }
        }

        public mutating func flush() { output.flush() }
    }
}
