import TunnelManager

/// What the dashboard drives: the tunnels supervised in this process, or a daemon over its control socket.
protocol DashboardBackend: Sendable {
    /// Whether quitting stops the tunnels (in-process) or only detaches (daemon).
    var ownsTunnels: Bool { get }
    /// Notes that something changed; the stream ends when the backend goes away.
    func changes() async -> AsyncStream<Void>
    /// Every tunnel, each with its newest log line.
    func snapshot() async -> [TunnelStatus]
    /// A tunnel's whole kept log.
    func log(of name: String) async -> [LogEntry]
    /// Carries out an action; returns feedback for the footer, if any.
    func perform(_ effect: DashboardEffect) async -> String?
    /// Called once after the screen closed: disconnect from a daemon (in-process tunnels are stopped by the
    /// service group after the screen, see `SupervisorServices`).
    func finish() async
}
