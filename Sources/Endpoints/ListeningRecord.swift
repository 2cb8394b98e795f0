import Rendering

extension Endpoint {
    /// The JSON Lines record every server prints once it listens: where (address written as
    /// everywhere else, `[::]:8080`), the port alone for scripts, and the transport; `protocol`
    /// for servers that speak more than one.
    public func listeningRecord(transport: NetworkError.Transport, protocol name: String? = nil) -> [UInt8] {
        return JSONLine.record("listening") { json in
            json.field("address", description)
            json.field("port", port)
            json.field("transport", transport.rawValue)
            if let name { json.field("protocol", name) }
        }
    }
}
