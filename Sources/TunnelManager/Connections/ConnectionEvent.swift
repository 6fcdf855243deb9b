/// Something that happened to a shared connection or to one of its forwards, fed to its
/// ``ConnectionSupervisor``. Tunnel generations are the ``TunnelSupervisor`` generations of the forward.
public enum ConnectionEvent: Sendable, Hashable {
    /// A tunnel wants its forward on this connection (its supervisor asked for a child of `generation`).
    /// `onTimer`: its retry timer asked (a backoff), so the connection's gap between failed masters applies;
    /// otherwise something happened (a start, the server or the network back) and a master starts at once.
    case forwardWanted(tunnel: String, generation: Int, onTimer: Bool = false)
    /// A tunnel no longer wants its forward (stop, restart): cancel it on the server.
    case forwardReleased(tunnel: String, generation: Int)
    /// A tunnel failed `probe_failures` public probes in a row while its local side answers.
    case forwardProbeFailed(tunnel: String, generation: Int)
    /// A round of probes of a tunnel on this connection ended (passed or not).
    case forwardProbed(tunnel: String, passed: Bool)
    /// Every tunnel of the connection is stopped: the master may go.
    case membersStopped
    /// The master of `generation` started with `pid`.
    case masterStarted(generation: Int, pid: Int32)
    /// The master of `generation` printed a line (already sanitized).
    case masterOutput(generation: Int, line: String)
    /// The master of `generation` ended.
    case masterExited(generation: Int, exit: ChildExit)
    /// The mux client asking for a tunnel's forward ended, with what it printed.
    case forwardRequestFinished(tunnel: String, generation: Int, exit: ChildExit, lines: [String])
    /// The mux client cancelling a tunnel's forward ended.
    case cancelFinished(tunnel: String, generation: Int)
    /// The retry timer with `token` fired.
    case retryDue(token: Int)
}
