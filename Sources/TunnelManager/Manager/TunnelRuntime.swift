/// What the manager keeps for one tunnel: its state machine, log, latencies, and the tasks working for it.
struct TunnelRuntime {
    /// The tunnel's state machine.
    var supervisor: TunnelSupervisor
    /// Its kept log.
    var log: TunnelLog
    /// Its probe latencies.
    var latency = LatencyHistory()
    /// Its own ssh child (not shared), with the generation it serves.
    var child: (generation: Int, task: Task<Void, Never>)?
    /// Its probe loop.
    var probeTask: Task<Void, Never>?
    /// Its retry timer.
    var retryTask: Task<Void, Never>?
    /// The label of the shared connection it rides on, nil for its own ssh.
    var connection: String?

    /// A fresh, stopped runtime for `tunnel`; generations start after `generationBase`.
    init(tunnel: TunnelConfig, generationBase: Int, seed: UInt64, now: Duration, connection: String?) {
        supervisor = TunnelSupervisor(config: tunnel, now: now, seed: seed &+ UInt64(generationBase), generationBase: generationBase)
        log = TunnelLog(capacity: tunnel.logLines)
        self.connection = connection
    }
}
