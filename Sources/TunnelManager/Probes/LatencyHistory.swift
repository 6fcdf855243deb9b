/// The last probe results of a tunnel (60 by default): a sparkline and min/avg/max.
public struct LatencyHistory: Sendable, Hashable, Codable {
    /// Latencies in milliseconds, oldest first; nil marks a failed probe.
    public private(set) var samples: [Double?] = []
    /// How many samples are kept.
    public let capacity: Int

    /// Creates an empty history.
    public init(capacity: Int = 60) {
        self.capacity = capacity
    }

    /// Records a probe result.
    public mutating func record(_ result: ProbeResult) {
        samples.append(result.passed ? result.latency.seconds * 1000 : nil)
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
    }

    /// The latest sample, if the latest probe passed.
    public var last: Double? { samples.last ?? nil }

    /// Smallest latency of the passed probes kept.
    public var minimum: Double? { samples.compactMap { $0 }.min() }
    /// Largest latency of the passed probes kept.
    public var maximum: Double? { samples.compactMap { $0 }.max() }
    /// Mean latency of the passed probes kept.
    public var average: Double? {
        let passed = samples.compactMap { $0 }
        return passed.isEmpty ? nil : passed.reduce(0, +) / Double(passed.count)
    }
}
