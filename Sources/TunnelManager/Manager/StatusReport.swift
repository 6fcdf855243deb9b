/// Builds the ``TunnelStatus`` users see from a tunnel's runtime and the connection it rides on.
enum StatusReport {
    /// The status of `runtime`, with its newest `logLimit` log lines; `connection` is its shared connection
    /// (nil: its own ssh), which `members` tunnels share.
    static func status(of runtime: TunnelRuntime, connection: ConnectionRuntime?, members: Int, logLimit: Int, clock: any SupervisorClock) -> TunnelStatus {
        let supervisor = runtime.supervisor
        let tunnel = supervisor.config
        let now = clock.now()
        var status = TunnelStatus(
            name: tunnel.name, server: tunnel.server, remote: tunnel.remoteDescription, local: tunnel.local.description,
            publicEndpoint: tunnel.publicEndpoint.description, state: supervisor.state,
            cause: describe(supervisor, now: now), hint: supervisor.cause?.hint,
            causeNeedsUser: supervisor.cause?.needsUser ?? false, pid: supervisor.pid,
            since: clock.date(at: supervisor.stateSince),
            uptimeSeconds: supervisor.uptime(now: now)?.seconds, restarts: supervisor.restartCount,
            retryInSeconds: supervisor.retryAt.map { max(0, ($0 - now).seconds) },
            latencyMilliseconds: runtime.latency.last, latencyHistory: runtime.latency.samples,
            latencyMinimum: runtime.latency.minimum, latencyAverage: runtime.latency.average,
            latencyMaximum: runtime.latency.maximum,
            command: connection.map { MultiplexCommand.commandLine(for: tunnel, controlPath: $0.controlPath) } ?? SSHCommand.commandLine(for: tunnel),
            recentLog: logLimit > 0 ? runtime.log.entries(limit: logLimit) : [], autostart: tunnel.autostart)
        if let connection {
            let shared = connection.supervisor
            status.connection = ConnectionStatus(
                label: shared.label, server: shared.key.description, shared: true, state: shared.state, pid: shared.pid,
                tunnels: members, forwards: shared.forwardCount)
        } else {
            let state: ConnectionState = supervisor.pid == nil ? .idle : supervisor.forwardEstablished ? .up : .connecting
            status.connection = ConnectionStatus(
                label: "own", server: ConnectionKey(tunnel).description, shared: false, state: state, pid: supervisor.pid,
                tunnels: 1, forwards: supervisor.forwardEstablished ? 1 : 0)
        }
        return status
    }

    /// The cause in words; a held remote port says how long the tunnel has been waiting for it.
    private static func describe(_ supervisor: TunnelSupervisor, now: Duration) -> String? {
        if case .remotePortInUse(let port)? = supervisor.cause, let since = supervisor.portHeldSince {
            return "waiting for the server to release port \(port) (stale session), \(Int((now - since).seconds)) s"
        }
        return supervisor.cause?.description
    }
}
