/// Something that happened to a tunnel, fed to its ``TunnelSupervisor``.
public enum SupervisorEvent: Sendable, Hashable {
    /// The user asked to start it (or retry now).
    case startRequested
    /// The user asked to stop it.
    case stopRequested
    /// The supervisor is shutting down: stop like `stopRequested`, logged as such.
    case shutdownRequested
    /// The user asked to restart it.
    case restartRequested
    /// The child of `generation` started with `pid`.
    case childStarted(generation: Int, pid: Int32)
    /// The child of `generation` printed a line.
    case childOutput(generation: Int, line: String)
    /// The child of `generation` ended.
    case childExited(generation: Int, exit: ChildExit)
    /// A round of probes for the child of `generation` finished.
    case probeCompleted(generation: Int, outcome: ProbeOutcome)
    /// The retry timer with `token` fired.
    case retryDue(token: Int)
    /// The server's ssh port does not answer (per-server check): wait for it instead of retrying on a timer.
    case serverDown(detail: String)
    /// The server's ssh port answers again: reconnect now.
    case serverUp
    /// The server's ssh port answered a check while it was not known to be down (a dropped connection of a
    /// tunnel that had been up for `stable_after` reconnects at once then).
    case serverAnswered
    /// The network changed (an address, route or link came or went): retry now with a fresh backoff.
    case networkChanged
    /// The shared connection confirmed the forward of the child of `generation` (its mux request succeeded).
    case forwardEstablished(generation: Int)
    /// The shared connection carrying the forward of `generation` ended; `cause`, when known, is the
    /// connection's (authentication, host key, half-open...), else the exit is classified as a child's.
    case connectionEnded(generation: Int, exit: ChildExit, cause: FailureCause?)
    /// The tunnel's shared connection is up (again): retry now if waiting for a connection-level cause.
    case connectionReady
    /// The reclaim request of `token` ended: the stale session was ended (or not, with why).
    case reclaimFinished(token: Int, reclaimed: Bool, detail: String)
}
