/// Exponential backoff with jitter: `initial x 2^n`, capped at `maximum`, stretched by up to 20%.
///
/// Jitter only lengthens a delay, so the no-storm bound holds: a tunnel whose ssh dies at once spawns at
/// most 6 times in its first minute with the default 1 s initial delay (t = 0, 1, 3, 7, 15, 31).
public struct BackoffPolicy: Sendable, Hashable {
    /// The first delay.
    public var initial: Duration
    /// The largest delay.
    public var maximum: Duration
    /// Largest extra fraction added at random.
    public var jitter: Double

    /// Creates a policy.
    public init(initial: Duration, maximum: Duration, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before attempt number `failures` (0 for the first retry); `random` is in 0..<1.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let exponent = min(max(failures, 0), 30)
        let base = min(initial.seconds * Double(1 << exponent), maximum.seconds)
        let stretched = min(base * (1 + jitter * min(max(random, 0), 1)), maximum.seconds)
        return .milliseconds(Int64((max(stretched, base) * 1000).rounded()))
    }
}
