// Longer than 250 lines: the actor's state, its whole public API and the one event entry; every part that
// has a job of its own lives in its own file (listed below).
import FoundationEssentials
import Logging

/// Supervises every tunnel: owns their state, runs their ssh connections and probes, and tells UIs what
/// changed.
///
/// Nothing outside this actor mutates a tunnel. Each tunnel's logic lives in a ``TunnelSupervisor``, each
/// shared ssh connection's in a ``ConnectionSupervisor``; the actor feeds them events (user actions, child
/// output and exits, probe results, timers) and carries out the effects they return. This file holds the state,
/// the public API and the event entry; the parts live in their own files: the tunnels' effects
/// (`TunnelManager+Tunnels`), connections (`TunnelManager+Connections`, ``ConnectionTable``), server checks
/// (`TunnelManager+Servers`, ``ServerCircuitBreaker``), reload (`TunnelManager+Reload`, ``ReloadPlan``), status
/// (``StatusReport``), probes (``ProbeLoop``), reclaim (``PortReclaimer``) and change notes
/// (``ChangeBroadcaster``). Nothing here waits on a UI.
public actor TunnelManager {
    var runtimes: [String: TunnelRuntime] = [:]
    var order: [String]
    /// The shared connections.
    var connectionTable: ConnectionTable
    let launcher: any ChildLauncher
    let prober: any EndpointProber
    let clock: any SupervisorClock
    let logger: Logger
    var broadcaster = ChangeBroadcaster()
    var runningChildren: [Int: Task<Void, Never>] = [:]
    var nextChildID = 0
    var shuttingDown = false
    /// Set as shutdown begins: no forward is cancelled one by one and no master started, the masters just end.
    var stopping = false
    var generationBase = 0
    var servers = ServerCircuitBreaker()
    var networkMonitor: NetworkChangeMonitor?
    let seed: UInt64
    /// The shared connections' socket directory, removed at shutdown or when the manager goes.
    nonisolated let connectionDirectory: ConnectionDirectory?
    /// Prometheus metrics of every tunnel, fed as events happen.
    public nonisolated let metrics = TunnelMetrics()

    /// Creates a manager for the tunnels of `config`; nothing starts until asked.
    ///
    /// Shared connections keep their control sockets in a fresh private directory under `runtimeDirectory`
    /// (default: the directory of this user's control socket, ``ControlSocketPath``).
    public init(
        config: Config,
        launcher: any ChildLauncher = SpawnLauncher(),
        prober: any EndpointProber = SocketProber(),
        clock: any SupervisorClock = SystemSupervisorClock(),
        logger: Logger = Logger(label: "tunnel-tui"),
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        runtimeDirectory: String? = nil
    ) {
        self.launcher = launcher
        self.prober = prober
        self.clock = clock
        self.logger = logger
        self.order = config.tunnels.map(\.name)
        self.seed = seed
        var table = ConnectionTable(directory: nil)
        do {
            table = ConnectionTable(directory: try ConnectionDirectory.make(in: runtimeDirectory ?? Self.parentDirectory(of: ControlSocketPath.default())))
        } catch {
            logger.warning("\(error)")
        }
        var base = 0
        for tunnel in config.tunnels {
            base += 1_000_000
            let label = table.label(for: tunnel, generationBase: &base, now: clock.now())
            runtimes[tunnel.name] = TunnelRuntime(tunnel: tunnel, generationBase: base, seed: seed, now: clock.now(), connection: label)
            metrics.register(tunnel.name)
        }
        connectionTable = table
        connectionDirectory = table.directory
        generationBase = base
    }

    deinit {
        connectionDirectory?.remove()
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    func makeRuntime(_ tunnel: TunnelConfig) -> TunnelRuntime {
        generationBase += 1_000_000
        let label = connectionTable.label(for: tunnel, generationBase: &generationBase, now: clock.now())
        return TunnelRuntime(tunnel: tunnel, generationBase: generationBase, seed: seed, now: clock.now(), connection: label)
    }

    // MARK: - Actions

    /// The tunnel names, in config order.
    public var names: [String] { order }

    /// Retries at once when Linux reports a network change (netlink); returns whether netlink is available.
    @discardableResult
    public func watchNetworkChanges() -> Bool {
        guard networkMonitor == nil else { return true }
        networkMonitor = NetworkChangeMonitor { [weak self] in
            Task { await self?.networkChanged() }
        }
        if networkMonitor == nil { logger.notice("netlink unavailable: relying on backoff and server checks for network changes") }
        return networkMonitor != nil
    }

    /// Starts every tunnel whose `autostart` is true.
    public func startAutostartTunnels() {
        for name in order where runtimes[name]?.supervisor.config.autostart == true {
            deliver(.startRequested, to: name)
        }
    }

    /// Starts a stopped tunnel, or retries one in backoff at once.
    public func start(_ name: String) throws(TunnelManagerError) {
        try checkKnown(name)
        deliver(.startRequested, to: name)
    }

    /// Stops a tunnel: ends its ssh child (or cancels its forward on a shared connection) and keeps it stopped.
    public func stop(_ name: String) throws(TunnelManagerError) {
        try checkKnown(name)
        deliver(.stopRequested, to: name)
    }

    /// Restarts a tunnel's ssh child (or its forward on a shared connection) now, counted as a restart.
    public func restart(_ name: String) throws(TunnelManagerError) {
        try checkKnown(name)
        deliver(.restartRequested, to: name)
    }

    /// Starts every tunnel.
    public func startAll() {
        for name in order { deliver(.startRequested, to: name) }
    }

    /// Stops every tunnel.
    public func stopAll() {
        for name in order { deliver(.stopRequested, to: name) }
    }

    /// Ends every child (SIGTERM, then SIGKILL after the grace) and returns once all are reaped.
    public func shutdown() async {
        guard !shuttingDown else { return }
        stopping = true
        for name in order { deliver(.shutdownRequested, to: name) }
        shuttingDown = true
        for name in order {
            runtimes[name]?.retryTask?.cancel()
            runtimes[name]?.probeTask?.cancel()
            runtimes[name]?.child?.task.cancel()
        }
        for connection in connectionTable.runtimes.values {
            connection.retryTask?.cancel()
            connection.master?.task.cancel()
        }
        servers.cancelAll()
        networkMonitor?.stop()
        while let (_, task) = runningChildren.first {
            task.cancel()
            await task.value
        }
        connectionDirectory?.remove()
        broadcaster.finish()
    }

    // MARK: - Reading state

    /// Every tunnel's status, in config order, each with its newest `logLimit` log lines.
    public func snapshot(logLimit: Int = 0) -> [TunnelStatus] {
        var members: [String: Int] = [:]
        for runtime in runtimes.values { if let label = runtime.connection { members[label, default: 0] += 1 } }
        return order.compactMap { status(of: $0, logLimit: logLimit, members: members) }
    }

    /// One tunnel's status with its newest `logLimit` log lines, or nil for an unknown name.
    public func status(of name: String, logLimit: Int = 50) -> TunnelStatus? {
        status(of: name, logLimit: logLimit, members: nil)
    }

    /// `members`: tunnels per connection label, when the caller counted them already.
    private func status(of name: String, logLimit: Int, members counted: [String: Int]?) -> TunnelStatus? {
        guard let runtime = runtimes[name] else { return nil }
        let shared = runtime.connection.flatMap { connectionTable.runtimes[$0] }
        let members = runtime.connection.map { label in counted?[label] ?? runtimes.values.count { $0.connection == label } } ?? 1
        return StatusReport.status(of: runtime, connection: shared, members: members, logLimit: logLimit, clock: clock)
    }

    /// A tunnel's whole kept log, oldest first.
    public func log(of name: String) -> [LogEntry] {
        runtimes[name]?.log.entries() ?? []
    }

    /// A stream of change notes of `kinds` (by default all) for a UI; it ends at shutdown. Notes are
    /// dropped, never queued without bound, when the reader falls behind: re-read the snapshot on any note.
    /// It keeps the newest `keeping` unread notes; a reader that only wants to know that something changed
    /// (and reads the snapshot) keeps 1, so it never works through a backlog.
    public func changes(of kinds: Set<TunnelChange.Kind> = [.status, .log], keeping: Int = 512) -> AsyncStream<TunnelChange> {
        let (id, stream) = broadcaster.subscribe(kinds: kinds, keeping: keeping)
        broadcaster.continuation(of: id)?.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        broadcaster.unsubscribe(id)
    }

    // MARK: - Events in, effects out

    private func checkKnown(_ name: String) throws(TunnelManagerError) {
        guard runtimes[name] != nil else { throw .unknownTunnel(name, known: order) }
    }

    func deliver(_ event: SupervisorEvent, to name: String) {
        guard !shuttingDown, var runtime = runtimes[name] else { return }
        let before = (runtime.supervisor.state, runtime.supervisor.pid, runtime.supervisor.restartCount)
        let effects = runtime.supervisor.handle(event, now: clock.now())
        if case .probeCompleted(let generation, let outcome) = event, generation == runtime.supervisor.generation {
            runtime.latency.record(outcome.publicEnd)
            metrics.recordProbe(name, outcome.publicEnd)
            if let label = runtime.connection {
                deliver(.forwardProbed(tunnel: name, passed: outcome.publicEnd.passed), toConnection: label)
            }
        }
        if runtime.supervisor.restartCount > before.2 {
            metrics.recordRestarts(name, count: runtime.supervisor.restartCount - before.2)
        }
        runtimes[name] = runtime
        apply(effects, to: name, onTimer: event.isRetryTimer)
        if event.endsChild, runtime.supervisor.state == .backoff, runtime.supervisor.cause?.isServerLevel == true {
            serverLevelFailure(of: name)
        }
        if let label = runtime.connection, runtime.supervisor.state == .stopped {
            stopConnectionIfUnused(label)
        }
        let after = (runtime.supervisor.state, runtime.supervisor.pid, runtime.supervisor.restartCount)
        if before != after || event.isProbe {
            notify(name, .status)
        }
    }

    func appendLog(_ text: String, origin: LogEntry.Origin, to name: String) {
        runtimes[name]?.log.append(LogEntry(time: clock.date(at: clock.now()), origin: origin, text: text))
        switch origin {
        case .supervisor: logger.notice("\(name): \(text)")
        case .ssh: logger.info("\(name): ssh: \(text)")
        }
        notify(name, .log)
    }

    func notify(_ name: String, _ kind: TunnelChange.Kind) {
        broadcaster.notify(name, kind)
    }
}

extension SupervisorEvent {
    fileprivate var isRetryTimer: Bool {
        if case .retryDue = self { return true }
        return false
    }

    fileprivate var isProbe: Bool {
        if case .probeCompleted = self { return true }
        return false
    }

    /// Whether the event ends the tunnel's child (its own ssh, or its forward's connection).
    fileprivate var endsChild: Bool {
        switch self {
        case .childExited, .connectionEnded: true
        default: false
        }
    }
}
