import ArgumentParser
import Endpoints
import Rendering

/// A command that can answer in JSON: with --json, its failure also ends stdout with one
/// `error` record, so a script reading stdout sees why it failed.
protocol JSONAnswering {
    var answersInJSON: Bool { get }
}

/// Whether `command` was given --json. Nonisolated: a cast made on the main actor could pick an
/// isolated conformance and tie the command to it, which the compiler then warns about.
func answersInJSON(_ command: any ParsableCommand) -> Bool {
    (command as? any JSONAnswering)?.answersInJSON ?? false
}

extension Nettool.UDPSend: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.UDPRecv: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.TCPEchoServer: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.TCPEchoClient: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.FileServer: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.Download: JSONAnswering { var answersInJSON: Bool { output.json } }
extension Nettool.IPClassify: JSONAnswering { var answersInJSON: Bool { json } }
extension Nettool.PortClassify: JSONAnswering { var answersInJSON: Bool { json } }
extension Nettool.Capture: JSONAnswering { var answersInJSON: Bool { json } }
extension Nettool.Tour: JSONAnswering { var answersInJSON: Bool { json } }

/// `{"event":"error","exit_status":4,"message":"…","host":"127.0.0.1","port":9,"http_status":404}`:
/// the sentence printed on stderr, and the peer and HTTP status when the failure knows them.
enum ErrorRecord {
    static func json(status: ExitStatus, message: String, failure: (any CommandFailure)?) -> [UInt8] {
        JSONLine.record("error") { json in
            json.field("exit_status", Int(status.rawValue))
            json.field("message", message)
            if let endpoint = failure?.endpoint {
                json.field("host", endpoint.address.description)
                json.field("port", endpoint.port)
            }
            if let code = failure?.httpStatus { json.field("http_status", code) }
        }
    }
}
