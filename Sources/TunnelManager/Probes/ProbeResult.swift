import FoundationEssentials

/// The verdict of one probe of one end.
public struct ProbeResult: Sendable, Hashable, Codable {
    /// Whether the end answered as expected.
    public var passed: Bool
    /// From connect start to verdict.
    public var latency: Duration
    /// `ok`, or what went wrong (`connection refused`, `no banner within 3 s`, ...).
    public var detail: String

    /// Creates a result.
    public init(passed: Bool, latency: Duration, detail: String) {
        self.passed = passed
        self.latency = latency
        self.detail = detail
    }

    /// Latency in milliseconds with one decimal, e.g. `1.3 ms`.
    public var latencyDescription: String {
        String.fixed(latency.seconds * 1000, digits: 1) + " ms"
    }
}
