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
