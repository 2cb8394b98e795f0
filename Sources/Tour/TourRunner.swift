import Dispatch
import ProcessIO
import Rendering
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs lessons in order. Each lesson undoes what it started when it ends; `TourCleanup`
/// undoes the rest if the tour is interrupted.
public enum TourRunner {
    /// Runs `lessons`; `beforeLesson` is called with each lesson's position first (headings,
    /// --pause). Returns how many steps did not go as expected and how many were skipped.
    public static func run(_ lessons: [LessonID], context: TourContext,
                           beforeLesson: (LessonID, Int) -> Void) -> (failures: Int, skipped: Int) {
        for (index, lesson) in lessons.enumerated() {
            beforeLesson(lesson, index + 1)
            do {
                switch lesson {
                case .addresses: try AddressesLesson.run(context)
                case .ports: try PortsLesson.run(context)
                case .udp: try UDPLesson.run(context)
                case .tcp: try TCPLesson.run(context)
                case .handshake: try HandshakeLesson.run(context)
                case .stream: try StreamLesson.run(context)
                case .close: try CloseLesson.run(context)
                case .timewait: try TimeWaitLesson.run(context)
                case .dualstack: try DualStackLesson.run(context)
                case .loss: try LossLesson.run(context)
                case .tls: try TLSLesson.run(context)
                case .files: try FilesLesson.run(context)
                case .wire: try WireLesson.run(context)
                }
            } catch {
                context.emit(TourStep(lesson: lesson, number: 0, title: "The lesson could not run", command: nil,
                                      output: ["\(error)"], explanation: "Something this lesson needs is missing.", ok: false))
            }
        }
        context.cleanup.runAll()
        return (context.failures, context.skipped)
    }
}

extension TourRunner {
    /// `nettool tour` as a person sees it: each step printed as it happens (text, or JSON
    /// Lines), headings between lessons, a pause after each step with `pause`, then the closing
    /// line or summary object. Ctrl-C or SIGTERM stops and removes everything the tour started,
    /// then exits 130. Returns whether every step went as expected.
    public static func runPrinted(_ lessons: [LessonID], nettool: String, json: Bool, pause: Bool) async -> Bool {
        let cleanup = TourCleanup()
        let signals = onTerminationSignals {
            cleanup.runAll()
            printError("nettool: tour interrupted; everything it started is stopped and removed")
            exit(130)
        }
        defer { signals.forEach { $0.cancel() } }
        let steps = Atomic<Int>(0)
        let context = TourContext(nettool: nettool, cleanup: cleanup) { step in
            steps.add(1, ordering: .relaxed)
            var out = OutputStream.standardOutput()
            out.write(json ? TourReport.json(step) : Array(TourReport.text(step).utf8))
            if pause { out.write("  (Enter to go on)") }
            out.flush()
            if pause { waitForEnter() }
        }
        let (failures, skipped): (Int, Int) = await withCheckedContinuation { continuation in
            // The lessons block on child processes: a thread of their own, not a Swift concurrency one.
            DispatchQueue(label: "nettool.tour").async {
                continuation.resume(returning: run(lessons, context: context) { lesson, index in
                    guard !json else { return }
                    var out = OutputStream.standardOutput()
                    out.write(TourReport.heading(lesson, index: index, of: lessons.count))
                    out.flush()
                })
            }
        }
        let count = steps.load(ordering: .relaxed)
        var out = OutputStream.standardOutput()
        if json {
            out.write(TourReport.summaryJSON(lessons: lessons.count, steps: count, failed: failures, skipped: skipped))
        } else {
            let skips = skipped == 0 ? "" : " (\(skipped) skipped, marked --)"
            out.write(failures == 0 ? "\nTour finished: \(count) step\(count == 1 ? "" : "s"), each as expected\(skips).\n"
                                    : "\nTour finished: \(failures) of \(count) steps did not go as expected (marked !!)\(skips).\n")
        }
        out.flush()
        return failures == 0
    }

    /// `--list`: the lessons, numbered.
    public static var list: String {
        LessonID.allCases.enumerated().map { index, lesson in
            let name = lesson.rawValue + String(repeating: " ", count: max(0, 10 - lesson.rawValue.count))
            return "\(index + 1). \(name) \(lesson.title): \(lesson.summary)\n"
        }.joined()
    }

    private static func waitForEnter() {
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
    }
}
