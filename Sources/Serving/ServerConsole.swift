import Endpoints
import ProcessIO
import Rendering

extension Endpoint {
    /// A server command once it listens here: the listening line, Ctrl-C/SIGTERM for a graceful
    /// stop (a second one for an immediate one), then the summary.
    public func serveUntilStopped(lines: SerialOutput, json: Bool, what: String?, protocolName: String? = nil, bytesWere: String,
                                  stop: @escaping @Sendable () -> Void, run: () async -> ServerSummary) async {
        // Armed before the line that says the server is ready: a SIGINT or SIGTERM sent the moment
        // it appears must stop the server with its summary, not kill it or be lost.
        let signals = onTerminationSignals(stop)
        defer { signals.forEach { $0.cancel() } }
        if json {
            lines.write(listeningRecord(transport: .tcp, protocol: protocolName))
        } else {
            printError("listening on \(self)/tcp" + (what.map { ", \($0)" } ?? ""))
        }
        let summary = await run()
        if json { lines.write(ServerSummaryReport.json(summary)) } else { printError(ServerSummaryReport.text(summary, bytesWere: bytesWere)) }
    }
}
