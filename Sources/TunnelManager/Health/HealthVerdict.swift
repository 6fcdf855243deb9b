/// Health as monitoring plugins report it (Nagios/Icinga convention), from the tunnels' states.
public enum HealthVerdict: Int32, Sendable, Codable {
    /// Every tunnel that is meant to run is up.
    case ok = 0
    /// Some tunnel meant to run is not up.
    case warning = 1
    /// No tunnel is up, or one has `failed` (a cause that needs the user).
    case critical = 2
    /// No instance answered.
    case unknown = 3

    /// The verdict for a set of states; tunnels stopped on purpose do not count, unless all are stopped.
    public static func of(_ states: [TunnelState]) -> HealthVerdict {
        let meant = states.filter { $0 != .stopped }
        if meant.isEmpty || meant.contains(.failed) || !meant.contains(.up) { return .critical }
        return meant.allSatisfy { $0 == .up } ? .ok : .warning
    }

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    public var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }
}
