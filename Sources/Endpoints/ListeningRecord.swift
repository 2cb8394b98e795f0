import Rendering

extension Endpoint {
    /// The JSON Lines record every server prints once it listens: where (address written as
    /// everywhere else, `[::]:8080`), the port alone for scripts, and the transport; `protocol`
    /// for servers that speak more than one.
    public func listeningRecord(transport: NetworkError.Transport, protocol name: String? = nil) -> [UInt8] {
        var json = JSONLine()
        json.beginObject()
        json.record("listening")
        json.key("address"); json.string(description)
        json.key("port"); json.int(port)
        json.key("transport"); json.string(transport.rawValue)
        if let name { json.key("protocol"); json.string(name) }
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
