import Addresses
import Packets
import Rendering

/// The neighbour table and alerts as text and JSON Lines.
public enum NeighborReport {
    public static func text(_ entries: [NeighborEntry], vendors: VendorDirectory) -> String {
        guard !entries.isEmpty else { return "neighbour table: empty (no ARP or NDP binding seen)\n" }
        var clock = TimestampFormatter()
        let rows = entries.map { entry -> [String] in
            [entry.address.description, entry.mac.description, vendors.vendor(of: entry.mac) ?? "-",
             localTime(entry.firstSeen, &clock), localTime(entry.lastSeen, &clock), String(entry.packets),
             entry.previousMAC.map { "was \($0)" } ?? ""]
        }
        return ColumnTable.render(header: ["ADDRESS", "MAC", "VENDOR", "FIRST SEEN", "LAST SEEN", "PACKETS", ""], rows: rows)
    }

    public static func json(_ entries: [NeighborEntry], vendors: VendorDirectory) -> [UInt8] {
        var out = JSONLine()
        var clock = TimestampFormatter()
        for entry in entries {
            out.beginObject()
            out.record("neighbor")
            out.field("ip", entry.address.description)
            out.field("mac", entry.mac.description)
            out.field("vendor", vendors.vendor(of: entry.mac))
            out.key("first_seen")
            rfc3339(entry.firstSeen, &clock, &out)
            out.key("last_seen")
            rfc3339(entry.lastSeen, &clock, &out)
            out.field("packets", entry.packets)
            out.field("previous_mac", entry.previousMAC?.description)
            out.endObject()
            out.endLine()
        }
        return out.bytes
    }

    public static func text(_ alert: Alert) -> String {
        var clock = TimestampFormatter()
        return "alert \(localTime(alert.time, &clock)): \(alert.message)"
    }

    public static func json(_ alert: Alert, vendors: VendorDirectory) -> [UInt8] {
        var out = JSONLine()
        var clock = TimestampFormatter()
        out.beginObject()
        out.record("alert")
        out.field("alert", alert.kind.name)
        out.key("time")
        rfc3339(alert.time, &clock, &out)
        out.field("ip", alert.address.description)
        out.field("mac", alert.mac.description)
        out.field("vendor", vendors.vendor(of: alert.mac))
        out.field("other_mac", alert.otherMAC?.description)
        out.field("message", alert.message)
        out.endObject()
        out.endLine()
        return out.bytes
    }

    private static func localTime(_ time: Timestamp, _ clock: inout TimestampFormatter) -> String {
        clock.local(time)
    }

    private static func rfc3339(_ time: Timestamp, _ clock: inout TimestampFormatter, _ out: inout JSONLine) {
        clock.withRFC3339(time) { out.unescapedString($0) }
    }
}
