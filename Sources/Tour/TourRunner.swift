/// Runs lessons in order. Each lesson undoes what it started when it ends; `TourCleanup`
/// undoes the rest if the tour is interrupted.
public enum TourRunner {
    /// Runs `lessons`; `beforeLesson` is called with each lesson's position first (headings,
    /// --pause). Returns the number of steps that did not go as expected.
    public static func run(_ lessons: [LessonID], context: TourContext,
                           beforeLesson: (LessonID, Int) -> Void) -> Int {
        for (index, lesson) in lessons.enumerated() {
            beforeLesson(lesson, index + 1)
            do {
                switch lesson {
                case .addresses: try AddressesLesson.run(context)
                case .ports: try PortsLesson.run(context)
                case .udp: try UDPLesson.run(context)
                case .tcp: try TCPLesson.run(context)
                case .files: try FilesLesson.run(context)
                case .wire: try WireLesson.run(context)
                }
            } catch {
                context.emit(TourStep(lesson: lesson, number: 0, title: "The lesson could not run", command: nil,
                                      output: ["\(error)"], explanation: "Something this lesson needs is missing.", ok: false))
            }
        }
        context.cleanup.runAll()
        return context.failures
    }
}
