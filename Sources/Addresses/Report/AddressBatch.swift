#if canImport(Glibc)
import Glibc
#endif
import Rendering

/// Classifies blocks of input lines into output bytes: the unit of work of batch mode.
/// Pure (bytes in, bytes out), so the CLI can run blocks on several cores and write the
/// results in input order.
public enum AddressBatch {
    /// One block's output. Its buffer is reused from block to block, so batch mode allocates
    /// (and page-faults) its output memory once. Owned by one task at a time: handed to a
    /// worker, then back to the writer; never touched by two at once.
    public final class Block: @unchecked Sendable {
        /// JSON Lines, or human records each starting with a blank-line separator (the writer
        /// drops the stream's very first one).
        public var output = JSONLine(capacity: 1 << 20)
        /// Human mode: one message per invalid line, for stderr.
        public private(set) var errors: [String] = []
        public private(set) var invalidCount = 0

        public init() {}

        public func reset() {
            output.reset()
            errors.removeAll()
            invalidCount = 0
        }

        /// Lines end at `\n`; a trailing `\r` is dropped (CRLF files) and empty lines are skipped.
        public func classify(_ bytes: [UInt8], range: Range<Int>, json: Bool) {
            bytes.withUnsafeBufferPointer { all in
                var start = range.lowerBound
                while start < range.upperBound {
                    let end: Int
                    if let base = all.baseAddress, let found = memchr(base + start, Int32(UInt8(ascii: "\n")), range.upperBound - start) {
                        end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    } else {
                        end = range.upperBound
                    }
                    var lineEnd = end
                    if lineEnd > start && all[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                    if lineEnd > start { classifyLine(UnsafeBufferPointer(rebasing: all[start..<lineEnd]), json: json) }
                    start = end + 1
                }
            }
        }

        private func classifyLine(_ input: UnsafeBufferPointer<UInt8>, json: Bool) {
            do {
                let classification = AddressClassifier.classify(try AddressInput.parse(bytes: input))
                if json {
                    AddressJSON.appendValid(input: input, classification, to: &output)
                    output.endLine()
                } else {
                    output.text("\n" + AddressText.render(classification))
                }
            } catch {
                invalidCount += 1
                if json {
                    AddressJSON.appendInvalid(input: input, error: error, to: &output)
                    output.endLine()
                } else {
                    errors.append("\(TerminalText.escape(bytes: input)): \(error)")
                }
            }
        }
    }

    /// Where to cut `range` into `parts` pieces of whole lines (each cut just after a newline).
    public static func split(_ bytes: [UInt8], range: Range<Int>, parts: Int) -> [Range<Int>] {
        guard parts > 1, range.count > 4096 else { return [range] }
        var pieces: [Range<Int>] = []
        var start = range.lowerBound
        for part in 1..<parts {
            var cut = max(start, range.lowerBound + range.count * part / parts)
            while cut < range.upperBound && (cut == 0 || bytes[cut - 1] != UInt8(ascii: "\n")) { cut += 1 }
            if cut > start { pieces.append(start..<cut); start = cut }
        }
        if start < range.upperBound { pieces.append(start..<range.upperBound) }
        return pieces
    }
}

extension AddressBatch {
    /// Classifies inputs given one by one (command-line arguments) as one block.
    public static func classify(_ inputs: [String], json: Bool) -> Block {
        let bytes = Array(inputs.joined(separator: "\n").utf8)
        let block = Block()
        block.classify(bytes, range: 0..<bytes.count, json: json)
        return block
    }

    /// Classifies a stream of chunks (each whole lines) on `cores` cores and hands each chunk's
    /// output to `emit`, block by block, in input order. Output blocks are handed back and
    /// reused, so their memory is allocated once; the reading and writing are the caller's.
    public static func classify(chunks next: () -> [UInt8]?, cores: Int, json: Bool, emit: (Block) -> Void) async {
        let blocks = (0..<max(1, cores)).map { _ in Block() }
        while let input = next() {
            let pieces = split(input, range: 0..<input.count, parts: blocks.count)
            await withTaskGroup(of: Void.self) { group in
                for (piece, block) in zip(pieces, blocks) {
                    group.addTask {
                        block.reset()
                        block.classify(input, range: piece, json: json)
                    }
                }
            }
            for block in blocks.prefix(pieces.count) { emit(block) }
        }
    }
}
