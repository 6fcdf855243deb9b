/// Work a ``TunnelSupervisor`` asks its owner to carry out.
public enum SupervisorEffect: Sendable, Hashable {
    /// Start a new ssh child, tagged with `generation`.
    case spawn(generation: Int)
    /// End the child of `generation` (SIGTERM, then SIGKILL after a grace).
    case terminate(generation: Int)
    /// Deliver `.retryDue(token:)` at the monotonic time `at`.
    case scheduleRetry(token: Int, at: Duration)
    /// Probe the tunnel every `probe_interval`, starting now, for the child of `generation`.
    case startProbing(generation: Int)
    /// Stop probing.
    case stopProbing
    /// Ask the server (`ssh ... DESTINATION reclaim PORT`, answered by tunnel-tui-reclaim) to end the stale
    /// session holding `port`; deliver `.reclaimFinished(token:...)` when done.
    case reclaim(port: Int, token: Int)
    /// Hand the connection of the child of `generation` to the kernel's dead-peer detection
    /// (``KernelKeepalive``, `tcp_timeout`).
    case armKeepalive(generation: Int)
    /// Write a supervisor event into the tunnel's log.
    case log(String)
}
