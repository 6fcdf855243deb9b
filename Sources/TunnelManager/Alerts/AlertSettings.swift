/// The `[alerts]` table and the per-tunnel alert keys: which hook runs, when a tunnel counts as down, and
/// what counts as flapping.
public struct AlertSettings: Sendable, Hashable {
    /// The hook: program and arguments, run without a shell; nil when alerts are off.
    public var command: [String]?
    /// How long a tunnel must be not up before it is reported down.
    public var alertAfter: Duration = .seconds(30)
    /// Drops (up to not up) within ``flappingWindow`` that make a tunnel flapping.
    public var flappingCount = 5
    /// The window the drops of ``flappingCount`` are counted in; a flapping tunnel settles after a whole
    /// window without a drop.
    public var flappingWindow: Duration = .seconds(600)
    /// How long one hook may run before it is killed.
    public var timeout: Duration = .seconds(10)
    /// Per-tunnel overrides, by tunnel name.
    public var tunnels: [String: AlertTunnelSettings] = [:]

    /// Settings with alerts off.
    public init() {}

    /// The hook that runs for `tunnel`, or nil when its alerts are off.
    public func command(for tunnel: String) -> [String]? {
        let own = tunnels[tunnel]
        if own?.enabled == false { return nil }
        return own?.command ?? command
    }

    /// How long `tunnel` must be not up before it is reported.
    public func alertAfter(for tunnel: String) -> Duration {
        tunnels[tunnel]?.alertAfter ?? alertAfter
    }
}

/// One tunnel's own alert keys (`alerts`, `alert_after`, `alert_command` in its `[[tunnel]]`).
public struct AlertTunnelSettings: Sendable, Hashable {
    /// False with `alerts = false`: the tunnel never alerts.
    public var enabled = true
    /// Its own `alert_after`, when set.
    public var alertAfter: Duration?
    /// Its own hook, when set.
    public var command: [String]?

    /// Creates overrides (none by default).
    public init(enabled: Bool = true, alertAfter: Duration? = nil, command: [String]? = nil) {
        self.enabled = enabled
        self.alertAfter = alertAfter
        self.command = command
    }
}
