/// Where a tunnel stands.
public enum TunnelState: String, Sendable, Codable, CaseIterable {
    /// Stopped by the user (or not autostarted); no ssh runs.
    case stopped
    /// ssh is running; the forward is not confirmed end to end yet.
    case connecting
    /// The forward is established and the last probe passed.
    case up
    /// ssh is alive but the end-to-end probe fails.
    case unreachable
    /// Waiting to start ssh again; the time left is known.
    case backoff
    /// The last attempt ended with a cause that needs the user; still retrying at `backoff_max`.
    case failed

    /// Whether an ssh child is wanted in this state (everything but `stopped`).
    public var isActive: Bool { self != .stopped }
}
