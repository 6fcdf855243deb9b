/// Monotonic time for the manager; tests can substitute a clock they advance by hand.
public protocol SupervisorClock: Sendable {
    /// Time elapsed since the clock's own epoch.
    func now() -> Duration
    /// Suspends until `now()` reaches `deadline`; throws when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

/// The real clock: `ContinuousClock`, counted from the moment it was created.
public struct SystemSupervisorClock: SupervisorClock {
    private let epoch = ContinuousClock.now

    /// Creates a clock whose epoch is now.
    public init() {}

    /// Time since creation.
    public func now() -> Duration { ContinuousClock.now - epoch }

    /// Sleeps until the deadline, on the shared ``EventLoop`` (cheaper than a dispatch timer per sleep).
    public func sleep(until deadline: Duration) async throws {
        try await EventLoop.shared.sleep(until: epoch + deadline)
    }
}
