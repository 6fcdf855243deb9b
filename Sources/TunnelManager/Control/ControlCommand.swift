/// The name of a request on the wire (`"command"` in the JSON line): the control protocol's vocabulary,
/// spelled out in this one place.
public enum ControlCommand: String, Sendable, Codable, CaseIterable {
    /// Every tunnel's state.
    case status
    /// One tunnel's state with its whole kept log.
    case log
    /// Start one tunnel (or retry it now).
    case start
    /// Stop one tunnel.
    case stop
    /// Restart one tunnel's ssh.
    case restart
    /// Start every tunnel.
    case startAll = "start-all"
    /// Stop every tunnel.
    case stopAll = "stop-all"
    /// Re-read the config file and apply the difference.
    case reload
    /// Every change from now on, as full snapshots.
    case subscribe
}
