/// A long-running part of a supervisor (the manager, the control socket, the metrics exporter, a screen...),
/// run by a ``ServiceGroup``.
///
/// The group calls ``start()`` for each service in order, each finished before the next begins, then runs
/// them all. `run()` does the work until the group asks it to stop (``GracefulShutdown/wait()`` returns) or
/// its task is cancelled, cleans up, and returns. A service that returns on its own (the dashboard's screen
/// when the user quits, the daemon's signal watcher on SIGTERM) or throws makes the group stop the others.
public protocol Service: Sendable {
    /// Its name in logs and errors.
    var name: String { get }
    /// Gets ready before the services after it start (binds, starts children); none by default.
    func start() async throws
    /// Runs until asked to stop, then cleans up and returns.
    func run() async throws
}

extension Service {
    /// Nothing to get ready.
    public func start() async throws {}
}
