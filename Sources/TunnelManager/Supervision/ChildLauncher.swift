/// Runs child processes for the manager: the real one spawns ssh, tests may substitute their own.
public protocol ChildLauncher: Sendable {
    /// Runs `program` with `arguments` until it exits and returns how it ended.
    ///
    /// `onOutput` is awaited for each event, in order; lines for which `skipping` returns true are dropped
    /// before they reach it (a launcher may drop them on another thread, so `skipping` must be cheap and
    /// pure). Cancelling the calling task ends the child (SIGTERM to its process group, SIGKILL after a
    /// grace); the call returns only once it is reaped.
    func run(
        program: String, arguments: [String], skipping: @escaping @Sendable (String) -> Bool,
        onOutput: @escaping @Sendable (ChildOutput) async -> Void
    ) async -> ChildExit
}

extension ChildLauncher {
    /// Runs `program` and hands every line of its output to `onOutput`.
    public func run(program: String, arguments: [String], onOutput: @escaping @Sendable (ChildOutput) async -> Void) async -> ChildExit {
        await run(program: program, arguments: arguments, skipping: { _ in false }, onOutput: onOutput)
    }
}
