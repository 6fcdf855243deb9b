import FoundationEssentials

/// A tunnel as the UI and `status` see it: a plain, Codable value copied out of the manager.
public struct TunnelStatus: Sendable, Hashable, Codable {
    /// Unique name.
    public var name: String
    /// ssh destination.
    public var server: String
    /// `serverHost:remotePort`.
    public var remote: String
    /// Local target, `host:port`.
    public var local: String
    /// Where the public end is probed.
    public var publicEndpoint: String
    /// Current state.
    public var state: TunnelState
    /// Why it is not up, in words.
    public var cause: String?
    /// What to do about the cause.
    public var hint: String?
    /// Whether the cause needs the user (keys, host key, config).
    public var causeNeedsUser: Bool
    /// The ssh child's pid while it runs.
    public var pid: Int32?
    /// When the current state began.
    public var since: Date
    /// Seconds in `up`, when up.
    public var uptimeSeconds: Double?
    /// Restarts so far, automatic and manual.
    public var restarts: Int
    /// Seconds until the next attempt in `backoff` or `failed`.
    public var retryInSeconds: Double?
    /// Last probe latency in milliseconds, if it passed.
    public var latencyMilliseconds: Double?
    /// Recent probe latencies in milliseconds, oldest first; nil for a failed probe.
    public var latencyHistory: [Double?]
    /// Smallest, mean and largest latency of the kept probes.
    public var latencyMinimum: Double?
    /// Mean latency of the kept probes.
    public var latencyAverage: Double?
    /// Largest latency of the kept probes.
    public var latencyMaximum: Double?
    /// The ssh command line.
    public var command: [String]
    /// The newest log lines.
    public var recentLog: [LogEntry]
    /// Whether the tunnel starts with the supervisor.
    public var autostart: Bool
    /// The ssh connection the tunnel rides on (shared, or its own), with the master's pid and state.
    public var connection: ConnectionStatus?

    /// Creates a status (the manager builds these; tests and remote clients may too).
    public init(
        name: String,
        server: String,
        remote: String,
        local: String,
        publicEndpoint: String,
        state: TunnelState,
        cause: String?,
        hint: String?,
        causeNeedsUser: Bool,
        pid: Int32?,
        since: Date,
        uptimeSeconds: Double?,
        restarts: Int,
        retryInSeconds: Double?,
        latencyMilliseconds: Double?,
        latencyHistory: [Double?],
        latencyMinimum: Double?,
        latencyAverage: Double?,
        latencyMaximum: Double?,
        command: [String],
        recentLog: [LogEntry],
        autostart: Bool,
        connection: ConnectionStatus? = nil
    ) {
        self.name = name
        self.server = server
        self.remote = remote
        self.local = local
        self.publicEndpoint = publicEndpoint
        self.state = state
        self.cause = cause
        self.hint = hint
        self.causeNeedsUser = causeNeedsUser
        self.pid = pid
        self.since = since
        self.uptimeSeconds = uptimeSeconds
        self.restarts = restarts
        self.retryInSeconds = retryInSeconds
        self.latencyMilliseconds = latencyMilliseconds
        self.latencyHistory = latencyHistory
        self.latencyMinimum = latencyMinimum
        self.latencyAverage = latencyAverage
        self.latencyMaximum = latencyMaximum
        self.command = command
        self.recentLog = recentLog
        self.autostart = autostart
        self.connection = connection
    }
}
