import FoundationEssentials

/// Monotonic time for the manager; tests can substitute a clock they advance by hand.
public protocol SupervisorClock: Sendable {
    /// Time elapsed since the clock's own epoch.
    func now() -> Duration
    /// Suspends until `now()` reaches `deadline`; throws when the task is cancelled.
    func sleep(until deadline: Duration) async throws
    /// The wall-clock date of the monotonic instant `instant`, for timestamps shown to users.
    func date(at instant: Duration) -> Date
}

extension SupervisorClock {
    /// A clock without a wall time counts from the reference date (2001-01-01), so tests stay deterministic.
    public func date(at instant: Duration) -> Date {
        Date(timeIntervalSinceReferenceDate: instant.seconds)
    }
}

/// The real clock: `ContinuousClock`, counted from the moment it was created.
public struct SystemSupervisorClock: SupervisorClock {
    private let epoch = ContinuousClock.now
    private let epochDate = Date()

    /// Creates a clock whose epoch is now.
    public init() {}

    /// Time since creation.
    public func now() -> Duration { ContinuousClock.now - epoch }

    /// The date at `instant`: the wall time of the clock's creation plus the monotonic time since.
    public func date(at instant: Duration) -> Date {
        epochDate.addingTimeInterval(instant.seconds)
    }

    /// Sleeps until the deadline, on the shared ``EventLoop`` (cheaper than a dispatch timer per sleep).
    public func sleep(until deadline: Duration) async throws {
        try await EventLoop.shared.sleep(until: epoch + deadline)
    }
}
