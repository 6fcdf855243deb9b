/// Work a ``ConnectionSupervisor`` asks its owner to carry out.
public enum ConnectionEffect: Sendable, Hashable {
    /// Start the ssh master (`ssh -M` with a private control socket), tagged with `generation`.
    case spawnMaster(generation: Int)
    /// End the master of `generation` (SIGTERM, then SIGKILL after a grace).
    case terminateMaster(generation: Int)
    /// Ask the master for the tunnel's remote forward (`ssh -O forward -R ...`).
    case requestForward(tunnel: String, generation: Int)
    /// Ask the master to cancel the tunnel's remote forward (`ssh -O cancel -R ...`).
    case cancelForward(tunnel: String, generation: Int)
    /// Deliver `.retryDue(token:)` at the monotonic time `at`.
    case scheduleRetry(token: Int, at: Duration)
    /// Deliver `event` to the tunnel's ``TunnelSupervisor``.
    case tunnel(String, SupervisorEvent)
    /// The connection is up: tunnels of it waiting in backoff for a connection-level cause retry now.
    case wakeWaitingTunnels
    /// Write a line into the log of every tunnel of the connection.
    case log(String)
}
