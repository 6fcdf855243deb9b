/// Something a running child reports before it exits.
public enum ChildOutput: Sendable, Hashable {
    /// The child started with this pid.
    case started(pid: Int32)
    /// A line of its stdout or stderr, without the newline.
    case line(String)
}
