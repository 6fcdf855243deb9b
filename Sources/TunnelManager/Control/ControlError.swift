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

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .alreadyRunning(let path, let instance):
            let who = instance.map { "pid \($0.pid), \($0.mode), config \($0.config)" } ?? "unknown instance"
            return "another tunnel-tui already serves \(path) (\(who)); two supervisors would fight over the remote ports. "
                + "Stop it first, or use `tunnel-tui status` to talk to it"
        case .notRunning(let path):
            return "no tunnel-tui instance answers on \(path); start one with `tunnel-tui daemon` (or the dashboard)"
        case .system(let message):
            return message
        case .badReply(let message):
            return "unexpected reply on the control socket: \(message)"
        }
    }
}
