import ArgumentParser
import Rendering
import Endpoints
import ProcessIO
import Tour
#if canImport(Glibc)
import Glibc
#endif

extension Nettool {
    struct Tour: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tour",
            abstract: "A guided lesson: every part of nettool at work on loopback, each step explained.",
            discussion: """
                Runs nettool's own commands as you would type them, shows their real output, and \
                explains what happened at the socket level: addresses, ports, UDP, TCP and its \
                handshake and close on the wire, file download with resume, and ARP/NDP on a wire \
                (captured live when run as root, else from recorded samples). Everything it starts \
                (servers, namespaces, temporary files) is removed when it ends or is interrupted.

                \(ExitHelp.local)

                1 when a step did not go as expected (marked !!); a skipped step (no root, a tool missing) is not a failure.

                Examples:
                  nettool tour
                  nettool tour --list
                  nettool tour udp tcp --pause
                  nettool tour 3              (lessons by their number in --list, too)
                  sudo nettool tour wire
                """,
            version: Nettool.versionText
        )

        @Argument(help: "Lessons to run, by name or number (default: all, in order). See --list.")
        var lessons: [String] = []

        @Flag(help: "List the lessons and exit (with --json: one record per lesson).")
        var list = false

        @Flag(help: "Wait for Enter after each step (for a class).")
        var pause = false

        @Flag(help: "JSON Lines: one object per step, then a summary object.")
        var json = false

        func validate() throws {
            for name in lessons where LessonID(named: name) == nil {
                throw ValidationError("no lesson '\(TerminalText.escape(name))'; lessons: "
                    + LessonID.allCases.map { "\($0.number) \($0.rawValue)" }.joined(separator: ", "))
            }
        }

        func run() async throws {
            if list { return OutputStream.write(json ? TourReport.listJSON() : Array(TourRunner.list.utf8)) }
            let chosen = lessons.isEmpty ? LessonID.allCases : lessons.compactMap(LessonID.init(named:))
            let ok = await TourRunner.runPrinted(chosen, nettool: executablePath(), json: json, pause: pause)
            if !ok { throw ExitCode(ExitStatus.failure) }
        }
    }
}

