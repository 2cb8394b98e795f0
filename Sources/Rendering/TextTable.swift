/// Left-aligned "label  value" rows, the layout every human-readable report uses.
public struct FieldList: Sendable {
    public private(set) var rows: [(label: String, value: String)] = []
    public var indent: Int

    public init(indent: Int = 2) { self.indent = indent }

    public mutating func add(_ label: String, _ value: String) { rows.append((label, value)) }

    public func render() -> String {
        let width = rows.map(\.label.count).max() ?? 0
        var out = ""
        let pad = String(repeating: " ", count: indent)
        for row in rows {
            let gap = String(repeating: " ", count: width - row.label.count + 2)
            let continuation = "\n" + pad + String(repeating: " ", count: width + 2)
            out += pad + row.label + gap + row.value.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: continuation) + "\n"
        }
        return out
    }
}

/// Rows under a header, each column as wide as its widest cell, two spaces apart.
public enum ColumnTable {
    public static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        var out = ""
        for row in all {
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
