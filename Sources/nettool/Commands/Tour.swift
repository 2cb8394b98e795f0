import ArgumentParser
import Rendering
import Endpoints
import Dispatch
import Synchronization
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
                explains what happened at the socket level: addresses, ports, UDP, TCP, file \
                download with resume, and ARP/NDP on a wire (live in a short-lived network \
                namespace when run as root, else from a recorded sample). Everything it starts \
                (servers, namespaces, temporary files) is removed when it ends or is interrupted.

                Examples:
                  nettool tour
                  nettool tour --list
                  nettool tour udp tcp --pause
                  sudo nettool tour wire
                """,
            version: Nettool.versionText
        )

        @Argument(help: "Lessons to run (default: all, in order). See --list.")
        var lessons: [String] = []

        @Flag(help: "List the lessons and exit.")
        var list = false

        @Flag(help: "Wait for Enter after each step (for a class).")
        var pause = false

        @Flag(help: "JSON Lines: one object per step, then a summary object.")
        var json = false

        func validate() throws {
            for name in lessons where LessonID(rawValue: name) == nil {
                throw ValidationError("no lesson '\(name)'; lessons: \(LessonID.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            if list {
                var out = OutputStream.standardOutput()
                for (index, lesson) in LessonID.allCases.enumerated() {
                    out.write("\(index + 1). \(lesson.rawValue.padding(10)) \(lesson.title): \(lesson.summary)\n")
                }
                out.flush()
                return
            }
            let chosen = lessons.isEmpty ? LessonID.allCases : lessons.compactMap(LessonID.init(rawValue:))
            let cleanup = TourCleanup()
            let json = self.json, pause = self.pause
            let steps = Atomic<Int>(0)
            let context = TourContext(nettool: Self.executablePath(), cleanup: cleanup) { step in
                steps.add(1, ordering: .relaxed)
                var out = OutputStream.standardOutput()
                if json { out.write(TourReport.json(step)) } else { out.write(TourReport.text(step)) }
                out.flush()
                if pause { Self.waitForEnter() }
            }
            let signals = onTerminationSignals {
                cleanup.runAll()
                printError("nettool: tour interrupted; everything it started is stopped and removed")
                Glibc.exit(130)
            }
            defer { signals.forEach { $0.cancel() } }

            let failures: Int = await withCheckedContinuation { continuation in
                // The lessons block on child processes: a thread of their own, not a Swift concurrency one.
                DispatchQueue(label: "nettool.tour").async {
                    continuation.resume(returning: TourRunner.run(chosen, context: context) { lesson, index in
                        if !json { printHeading(TourReport.heading(lesson, index: index, of: chosen.count)) }
                    })
                }
            }
            let count = steps.load(ordering: .relaxed)
            var out = OutputStream.standardOutput()
            if json {
                out.write(TourReport.summaryJSON(lessons: chosen.count, steps: count, failed: failures))
            } else {
                out.write(failures == 0 ? "\nTour finished: \(count) step\(count == 1 ? "" : "s"), each as expected.\n"
                                        : "\nTour finished: \(failures) of \(count) steps did not go as expected (marked !!).\n")
            }
            out.flush()
            if failures > 0 { throw ExitCode(ExitStatus.failure) }
        }

        private static func executablePath() -> String {
            var buffer = [CChar](repeating: 0, count: 4096)
            let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard length > 0 else { return CommandLine.arguments[0] }
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        private static func waitForEnter() {
            var out = OutputStream.standardOutput()
            out.write("  (Enter to go on)")
            out.flush()
            var byte: UInt8 = 0
            while read(0, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
        }
    }
}

private func printHeading(_ text: String) {
    var out = OutputStream.standardOutput()
    out.write(text)
    out.flush()
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
