/// Exit statuses shared by every command: 0 success, 1 a failure the command reports,
/// 2 a usage error (bad option or argument), as grep and curl do.
enum ExitStatus {
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}
