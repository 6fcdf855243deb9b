#if canImport(Glibc)
import Glibc
#endif

/// Why the metrics textfile could not be written.
public struct MetricsWriteError: Error, Sendable, CustomStringConvertible {
    /// The file that was to be written.
    public let path: String
    /// The step that failed.
    public let step: String
    /// The system's reason.
    public let reason: String

    init(path: String, step: String, errno: Int32) {
        self.path = path
        self.step = step
        self.reason = String(cString: strerror(errno))
    }

    /// What happened and what to do.
    public var description: String {
        "cannot \(step) for \(path): \(reason); check that metrics_textfile_dir exists and that this user may write to it"
    }
}
