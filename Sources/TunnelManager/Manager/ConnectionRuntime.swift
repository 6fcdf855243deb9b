/// What the manager keeps for one shared connection: its state machine and the tasks working for it.
struct ConnectionRuntime {
    /// The connection's state machine.
    var supervisor: ConnectionSupervisor
    /// Its control socket.
    var controlPath: String
    /// The running master, with its generation.
    var master: (generation: Int, task: Task<Void, Never>)?
    /// Its retry timer.
    var retryTask: Task<Void, Never>?
}
