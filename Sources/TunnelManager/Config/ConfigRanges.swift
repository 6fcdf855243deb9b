/// The accepted range of every duration and count in the config file, in one place: values outside them
/// are refused with the range in the message (ssh and the clocks would misbehave or trap on them).
public enum ConfigRanges {
    /// `ServerAliveInterval`.
    public static let keepaliveInterval: ClosedRange<Duration> = .seconds(1)...(.seconds(3600))
    /// `ServerAliveCountMax`.
    public static let keepaliveCount: ClosedRange<Int> = 1...100
    /// How long the ssh connection's packets may go unanswered before the kernel ends it (0: off).
    public static let tcpTimeout: ClosedRange<Duration> = .zero...(.seconds(600))
    /// `ConnectTimeout`.
    public static let connectTimeout: ClosedRange<Duration> = .seconds(1)...(.seconds(600))
    /// Time between end-to-end probes.
    public static let probeInterval: ClosedRange<Duration> = .milliseconds(100)...(.seconds(3600))
    /// How long one probe may take.
    public static let probeTimeout: ClosedRange<Duration> = .milliseconds(50)...(.seconds(600))
    /// Failed probes in a row before a restart.
    public static let probeFailures: ClosedRange<Int> = 1...100
    /// First restart delay.
    public static let backoffInitial: ClosedRange<Duration> = .milliseconds(100)...(.seconds(3600))
    /// Longest restart delay.
    public static let backoffMax: ClosedRange<Duration> = .milliseconds(100)...(.seconds(86_400))
    /// Time up after which the backoff resets.
    public static let stableAfter: ClosedRange<Duration> = .zero...(.seconds(86_400))
    /// Time between checks of the server's reachability while a tunnel is down.
    public static let serverCheckInterval: ClosedRange<Duration> = .milliseconds(200)...(.seconds(3600))
    /// Lines of ssh output kept per tunnel.
    public static let logLines: ClosedRange<Int> = 10...100_000
    /// Time between rewrites of the metrics file.
    public static let metricsInterval: ClosedRange<Duration> = .seconds(1)...(.seconds(3600))
    /// TCP ports.
    public static let port: ClosedRange<Int> = 1...65535

    /// `1s to 1h`: a duration range as the config file writes durations.
    public static func describe(_ range: ClosedRange<Duration>) -> String {
        "\(DurationParser.format(range.lowerBound)) to \(DurationParser.format(range.upperBound))"
    }
}
