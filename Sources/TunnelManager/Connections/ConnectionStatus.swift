/// The connection a tunnel rides on, as `status` and the dashboard show it.
public struct ConnectionStatus: Sendable, Hashable, Codable {
    /// Short name, the same for every tunnel of the connection: `c1`, `c2`, ...; `own` for a tunnel with
    /// `share_connection = false`.
    public var label: String
    /// `user@host:port` of the connection.
    public var server: String
    /// Whether the connection is shared (a master with forwards) rather than the tunnel's own ssh.
    public var shared: Bool
    /// The connection's state.
    public var state: ConnectionState
    /// The ssh master's pid while it runs.
    public var pid: Int32?
    /// Tunnels configured on this connection.
    public var tunnels: Int
    /// Forwards the master currently carries.
    public var forwards: Int

    /// Creates a connection status.
    public init(label: String, server: String, shared: Bool, state: ConnectionState, pid: Int32?, tunnels: Int, forwards: Int) {
        self.label = label
        self.server = server
        self.shared = shared
        self.state = state
        self.pid = pid
        self.tunnels = tunnels
        self.forwards = forwards
    }
}
