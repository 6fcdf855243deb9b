/// Why the control socket could not be served or reached.
public enum ControlError: Error, Sendable, CustomStringConvertible {
    /// Another instance answers on the socket.
    case alreadyRunning(path: String, instance: ControlInstance?)
    /// Nothing answers on the socket.
    case notRunning(path: String)
    /// A system call failed.
    case system(String)
    /// The peer sent something that is not a valid reply.
    case badReply(String)
    /// The socket's directory could be replaced by another user; nothing was sent or served.
    case unsafeDirectory(path: String, reason: String)
    /// The instance accepted the connection (or not even that) but did not answer in time.
    case noAnswer(path: String, seconds: Int)
    /// The instance speaks another version of the control protocol (a tunnel-tui of another release).
    case versionMismatch(path: String, theirs: Int, instance: ControlInstance?)

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .alreadyRunning(let path, let instance):
            let who = instance.map { "pid \($0.pid), \(TerminalText.sanitize($0.mode)), config \(TerminalText.sanitize($0.config))" }
                ?? "unknown instance"
            return "another tunnel-tui already serves \(path) (\(who)); two supervisors would fight over the remote ports. "
                + "Stop it first, or use `tunnel-tui status` to talk to it"
        case .notRunning(let path):
            return "no tunnel-tui instance answers on \(path); start one with `tunnel-tui daemon` (or the dashboard)"
        case .system(let message):
            return message
        case .badReply(let message):
            return "unexpected reply on the control socket: \(TerminalText.sanitize(message))"
        case .unsafeDirectory(let path, let reason):
            return "refusing \(path): \(reason); remove it (or fix its owner and mode: yours or root's, not writable by "
                + "group or others), or set XDG_RUNTIME_DIR or --socket"
        case .noAnswer(let path, let seconds):
            return "the tunnel-tui instance on \(path) did not answer within \(seconds) s (stopped, or too busy?)"
        case .versionMismatch(let path, let theirs, let instance):
            let who = instance.map { " (\(TerminalText.sanitize($0.mode)) pid \($0.pid), tunnel-tui \(TerminalText.sanitize($0.version ?? "older than 0.9")))" } ?? ""
            return "the tunnel-tui instance on \(path)\(who) speaks control protocol \(theirs), this tunnel-tui \(BuildInfo.version) speaks "
                + "\(ControlProtocol.version); use the tunnel-tui binary that runs it (or restart it after an upgrade)"
        }
    }
}
