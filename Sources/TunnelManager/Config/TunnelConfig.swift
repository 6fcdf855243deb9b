/// One tunnel's settings after validation, with every default applied.
public struct TunnelConfig: Sendable, Hashable, Codable {
    /// Unique name, `[A-Za-z0-9._-]+`.
    public var name: String
    /// ssh destination: `[user@]host` or a Host alias of `~/.ssh/config`.
    public var server: String
    /// ssh port of the server, or nil for ssh's own default (or the alias's `Port`).
    public var serverPort: Int?
    /// Private key passed with `-i` (and `IdentitiesOnly=yes`), already `~`-expanded.
    public var identityFile: String?
    /// Host key checking policy.
    public var hostKeyPolicy: HostKeyPolicy
    /// Extra `-o` values, passed as given.
    public var sshOptions: [String]
    /// The ssh program: a path, or a name looked up on PATH.
    public var sshProgram: String
    /// `ServerAliveInterval`.
    public var keepaliveInterval: Duration
    /// `ServerAliveCountMax`.
    public var keepaliveCount: Int
    /// `ConnectTimeout`.
    public var connectTimeout: Duration
    /// How long the ssh connection's packets may go unanswered before the kernel ends it (TCP keepalive and
    /// `TCP_USER_TIMEOUT` on ssh's socket, see ``KernelKeepalive``); zero leaves ssh's socket as it is.
    public var tcpTimeout: Duration = .seconds(5)
    /// What the public and local probes do.
    public var probe: ProbeKind
    /// Banner prefix expected by the `banner` probe.
    public var expect: String
    /// Path requested by the `http` probe.
    public var httpPath: String
    /// Time between probes.
    public var probeInterval: Duration
    /// Time one probe may take.
    public var probeTimeout: Duration
    /// Consecutive end-to-end failures (with the local side answering) before ssh is restarted.
    public var probeFailures: Int
    /// First backoff delay.
    public var backoffInitial: Duration
    /// Largest backoff delay; also the retry period of causes that need the user.
    public var backoffMax: Duration
    /// Time up after which the backoff starts again from `backoffInitial`.
    public var stableAfter: Duration
    /// While the server's ssh port does not answer, how often one TCP check (per server) looks again.
    public var serverCheckInterval: Duration = .seconds(2)
    /// Lines kept in the tunnel's log.
    public var logLines: Int
    /// Where the server listens.
    public var remote: RemoteBinding
    /// What the tunnel reaches on this side.
    public var local: Endpoint
    /// Where the public end is probed from here.
    public var publicEndpoint: Endpoint
    /// True when `public` was not set: the probe goes to the host ssh really connects to (`ssh -G`
    /// resolves a `~/.ssh/config` Host alias to its HostName) at the remote port.
    public var publicFollowsServer = false
    /// Whether the tunnel starts with the supervisor.
    public var autostart: Bool
    /// Whether the server runs tunnel-tui-reclaim as this key's forced command: the tunnel then asks for a
    /// session `hold PORT` (instead of `ssh -N`) that registers it, so a stale one can be reclaimed by an
    /// unprivileged user. Off by default: a server without the script would refuse that session.
    public var reclaimScript = false
    /// Whether the tunnel rides, as one forward, on the ssh connection it shares with every tunnel that has
    /// the same connection settings (``ConnectionKey``); false: its own ssh process, as before sharing.
    public var shareConnection = true

    /// The host part of `server` (after any `user@`).
    public var serverHost: String {
        guard let at = server.lastIndex(of: "@") else { return server }
        return String(server[server.index(after: at)...])
    }

    /// `server:port` as shown in tables.
    public var remoteDescription: String { "\(serverHost):\(remote.port)" }
}
