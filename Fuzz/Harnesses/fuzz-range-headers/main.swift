import FileTransfer
import FuzzDriver

/// Range, Content-Range and If-Range values, split at the first newline; the size the Range is
/// read against comes from the input too. A satisfiable range must lie inside the file.
runFuzzer { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let fileSize = (parts.first?.utf8.count ?? 0) * 997
    if case .partial(let range) = RangeRequest.parse(parts[0], size: fileSize) {
        precondition(range.lowerBound >= 0 && range.upperBound < fileSize, "range \(range) outside a file of \(fileSize) bytes")
    }
    if parts.count > 1, let parsed = ContentRange.parse(parts[1]) {
        precondition(parsed.range.lowerBound >= 0 && parsed.size.map { parsed.range.upperBound < $0 } ?? true,
                     "Content-Range \(parts[1]) parsed to \(parsed)")
    }
    if parts.count > 2 {
        _ = Validators.ifRangeMatches(parts[2], entityTag: "\"5f3e-1a2b\"", lastModified: "Mon, 30 Nov 2026 10:00:00 GMT")
    }
    return 0
}
