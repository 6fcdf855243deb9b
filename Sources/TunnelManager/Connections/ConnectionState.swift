/// Where a shared ssh connection (a master process) stands.
public enum ConnectionState: String, Sendable, Codable, CaseIterable {
    /// No master runs: no tunnel wants it, or it waits before the next attempt.
    case idle
    /// The master is starting: connecting and authenticating.
    case connecting
    /// The master is authenticated and takes forward requests.
    case up
    /// The master is being ended (no tunnel wants it, or it is restarted).
    case closing
}
