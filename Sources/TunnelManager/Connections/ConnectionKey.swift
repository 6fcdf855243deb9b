/// The settings that decide which tunnels share one ssh connection: tunnels whose keys are equal ride, as
/// forwards, on one ssh master process.
public struct ConnectionKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// ssh destination, `[user@]host` or a Host alias.
    public var server: String
    /// ssh port, or nil for ssh's default.
    public var serverPort: Int?
    /// Private key passed with `-i`.
    public var identityFile: String?
    /// Host key checking policy.
    public var hostKeyPolicy: HostKeyPolicy
    /// Extra `-o` values.
    public var sshOptions: [String]
    /// The ssh program.
    public var sshProgram: String
    /// `ServerAliveInterval`.
    public var keepaliveInterval: Duration
    /// `ServerAliveCountMax`.
    public var keepaliveCount: Int
    /// `ConnectTimeout`.
    public var connectTimeout: Duration
    /// The kernel's dead-peer timeout on the connection (`tcp_timeout`).
    public var tcpTimeout: Duration
    /// Whether the master's session registers its ports with tunnel-tui-reclaim (`hold PORT...`).
    public var reclaimScript: Bool

    /// The connection settings of `tunnel`.
    public init(_ tunnel: TunnelConfig) {
        server = tunnel.server
        serverPort = tunnel.serverPort
        identityFile = tunnel.identityFile
        hostKeyPolicy = tunnel.hostKeyPolicy
        sshOptions = tunnel.sshOptions
        sshProgram = tunnel.sshProgram
        keepaliveInterval = tunnel.keepaliveInterval
        keepaliveCount = tunnel.keepaliveCount
        connectTimeout = tunnel.connectTimeout
        tcpTimeout = tunnel.tcpTimeout
        reclaimScript = tunnel.reclaimScript
    }

    /// `user@host:port` as shown to the user.
    public var description: String {
        serverPort.map { "\(server):\($0)" } ?? server
    }
}
