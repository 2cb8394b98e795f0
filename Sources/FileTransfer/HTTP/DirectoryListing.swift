import Rendering

/// A folder's listing: HTML for browsers, one line per entry for curl. Pure.
public enum DirectoryListing {
    public static func text(_ entries: [ServedRoot.Entry], path: String) -> String {
        var lines = ["Index of \(path)"]
        for entry in entries {
            lines.append(entry.isDirectory ? "\(entry.name)/" : "\(entry.name)\t\(entry.size)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func html(_ entries: [ServedRoot.Entry], path: String) -> String {
        let title = escape("Index of \(path)")
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(title)</title></head>\n<body><h1>\(title)</h1>\n<ul>\n"
        if path != "/" { html += "<li><a href=\"../\">../</a></li>\n" }
        for entry in entries {
            let name = entry.isDirectory ? entry.name + "/" : entry.name
            html += "<li><a href=\"\(percentEncoded(name))\">\(escape(name))</a>"
                + (entry.isDirectory ? "" : " (\(grouped(entry.size)) bytes)") + "</li>\n"
        }
        return html + "</ul></body></html>\n"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Percent-encodes everything but unreserved characters and `/`, so any file name makes a
    /// working link.
    static func percentEncoded(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                result += "%" + Hexdump.hexString([byte]).uppercased()
            }
        }
        return result
    }
}
