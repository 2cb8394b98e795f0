#if canImport(Glibc)
import Glibc
#endif

public enum ResourceLimits {
    /// Every socket is a file descriptor, and the usual soft limit (1024) is far below the
    /// 10,000 connections the echo server and load generator handle: the CLI raises it to the
    /// hard limit once at start, for every command (a process-wide setting, not a library's).
    public static func raiseOpenFiles() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
