/// A note that a tunnel changed; read its new state with ``TunnelManager/status(of:logLimit:)``.
public struct TunnelChange: Sendable, Hashable {
    /// What changed.
    public enum Kind: Sendable, Hashable {
        /// State, cause, pid, counters or latency.
        case status
        /// A new log line.
        case log
    }

    /// The tunnel's name.
    public var name: String
    /// What changed.
    public var kind: Kind
}
