/// Runs child processes for the manager: the real one spawns ssh, tests may substitute their own.
public protocol ChildLauncher: Sendable {
    /// Runs `program` with `arguments` until it exits and returns how it ended.
    ///
    /// `onOutput` is awaited for each event, in order within each stream. Cancelling the calling task ends
    /// the child (SIGTERM to its process group, SIGKILL after a grace); the call returns only once it is reaped.
    func run(program: String, arguments: [String], onOutput: @escaping @Sendable (ChildOutput) async -> Void) async -> ChildExit
}
