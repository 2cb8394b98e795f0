import Addresses
import Rendering

/// `--conversations`: one line (or JSON record) per TCP connection, as tshark's
/// `-z conv,tcp` gives and a bit more: who closed first and how it ended.
public enum ConversationReport {
    public static func text(_ connections: [TCPConnection], evicted: Int) -> String {
        var text = "TCP conversations: \(grouped(connections.count))"
            + (evicted > 0 ? " (\(grouped(evicted)) dropped from the table past --table-limit)" : "") + "\n"
        for connection in connections {
            text += "  #\(connection.id) \(connection.client) → \(connection.server)"
                + "  \(DurationText.format(.seconds(connection.lastSeen - connection.firstSeen)))"
                + "  → \(grouped(connection.packetsToServer)) pkts \(ByteText.size(connection.bytesToServer))"
                + "  ← \(grouped(connection.packetsToClient)) pkts \(ByteText.size(connection.bytesToClient))"
                + (connection.handshakeRTT.map { "  handshake RTT \(DurationText.format(.seconds($0)))" } ?? "")
                + "  \(grouped(connection.retransmissions)) retransmission\(connection.retransmissions == 1 ? "" : "s")"
                + "  \(ending(connection))\n"
        }
        return text
    }

    public static func json(_ connection: TCPConnection, to out: inout JSONLine) {
        out.beginObject()
        out.record("conversation")
        out.field("connection", connection.id)
        out.field("client_ip", connection.client.address.description)
        out.field("client_port", connection.client.port)
        out.field("server_ip", connection.server.address.description)
        out.field("server_port", connection.server.port)
        out.field("duration_ms", (connection.lastSeen - connection.firstSeen) * 1000, digits: 3)
        out.field("packets_to_server", connection.packetsToServer)
        out.field("bytes_to_server", connection.bytesToServer)
        out.field("packets_to_client", connection.packetsToClient)
        out.field("bytes_to_client", connection.bytesToClient)
        out.key("handshake_rtt_ms")
        if let rtt = connection.handshakeRTT { out.unescapedNumber(fixed(rtt * 1000, 3)) } else { out.null() }
        out.field("retransmissions", connection.retransmissions)
        out.field("closed_first", connection.closedFirst?.rawValue)
        switch connection.ending {
        case .open: out.field("ending", "open")
        case .closed: out.field("ending", "fin")
        case .reset(let side): out.field("ending", "reset by \(side.rawValue)")
        }
        out.field("client_state", connection.clientState.rawValue)
        out.field("server_state", connection.serverState.rawValue)
        out.endObject()
        out.endLine()
    }

    private static func ending(_ connection: TCPConnection) -> String {
        switch connection.ending {
        case .open: "still open (client \(connection.clientState.rawValue), server \(connection.serverState.rawValue))"
        case .closed: "closed FIN/FIN, the \(connection.closedFirst?.rawValue ?? "client") first"
        case .reset(let side): "reset by the \(side.rawValue)"
        }
    }
}
