/// How a child process ended.
public enum ChildExit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Exited with a status code.
    case exited(Int32)
    /// Ended by a signal.
    case signaled(Int32)
    /// Never started.
    case launchFailed(String)

    /// `status 255`, `signal 9`, or why it did not start.
    public var description: String {
        switch self {
        case .exited(let code): "status \(code)"
        case .signaled(let signal): "signal \(signal)"
        case .launchFailed(let reason): "could not start: \(reason)"
        }
    }
}
