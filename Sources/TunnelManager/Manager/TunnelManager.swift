import FoundationEssentials
import Logging

/// Supervises every tunnel: owns their state, runs their ssh connections and probes, and tells UIs what
/// changed.
///
/// Nothing outside this actor mutates a tunnel. Each tunnel's logic lives in a ``TunnelSupervisor``, each
/// shared ssh connection's in a ``ConnectionSupervisor``; the actor feeds them events (user actions, child
/// output and exits, probe results, timers) and carries out the effects they return. The parts live in their
/// own files: connections (`TunnelManager+Connections`), server checks (`TunnelManager+Servers`), status
/// (`StatusReport`), probes (``ProbeLoop``), reclaim (``PortReclaimer``), reload (``ReloadPlan``) and change
/// notes (``ChangeBroadcaster``). Nothing here waits on a UI.
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
    var generationBase = 0
    var servers = ServerCircuitBreaker()
    var networkMonitor: NetworkChangeMonitor?
    let seed: UInt64
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
        generationBase = base
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

    /// Applies a new configuration: new tunnels start (when autostart), removed ones stop, changed ones
    /// restart with their new settings (a tunnel whose connection settings changed moves to the connection
    /// they name, the others on its old one undisturbed), unchanged ones keep running with their counters.
    public func reload(_ config: Config) -> ReloadSummary {
        let plan = ReloadPlan(current: order.compactMap { runtimes[$0]?.supervisor.config }, config: config)
        var summary = ReloadSummary()
        servers.hosts = [:]
        for name in plan.removed { retire(name) }
        for tunnel in plan.changed {
            let wasActive = runtimes[tunnel.name]?.supervisor.state.isActive ?? false
            retire(tunnel.name)
            runtimes[tunnel.name] = makeRuntime(tunnel)
            appendLog("settings changed by a reload; restarting with the new ones", origin: .supervisor, to: tunnel.name)
            if wasActive || tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
        }
        for tunnel in plan.added {
            runtimes[tunnel.name] = makeRuntime(tunnel)
            if tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
        }
        summary.removed = plan.removed
        summary.changed = plan.changed.map(\.name)
        summary.added = plan.added.map(\.name)
        summary.unchanged = plan.unchanged
        order = config.tunnels.map(\.name)
        closeUnusedConnections()
        logger.notice("reloaded \(config.path): \(summary)")
        for name in order { notify(name, .status) }
        return summary
    }

    /// Stops a tunnel's child, timers and probes and forgets it (its child is still awaited at shutdown).
    private func retire(_ name: String) {
        deliver(.stopRequested, to: name)
        runtimes[name]?.retryTask?.cancel()
        runtimes[name]?.probeTask?.cancel()
        runtimes[name] = nil
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
        connectionTable.directory?.remove()
        broadcaster.finish()
    }

    // MARK: - Reading state

    /// Every tunnel's status, in config order, each with its newest `logLimit` log lines.
    public func snapshot(logLimit: Int = 0) -> [TunnelStatus] {
        order.compactMap { status(of: $0, logLimit: logLimit) }
    }

    /// One tunnel's status with its newest `logLimit` log lines, or nil for an unknown name.
    public func status(of name: String, logLimit: Int = 50) -> TunnelStatus? {
        guard let runtime = runtimes[name] else { return nil }
        let shared = runtime.connection.flatMap { connectionTable.runtimes[$0] }
        let members = runtime.connection.map { label in runtimes.values.count { $0.connection == label } } ?? 1
        return StatusReport.status(of: runtime, connection: shared, members: members, logLimit: logLimit, clock: clock)
    }

    /// A tunnel's whole kept log, oldest first.
    public func log(of name: String) -> [LogEntry] {
        runtimes[name]?.log.entries() ?? []
    }

    /// A stream of change notes for a UI; it ends at shutdown. Notes are dropped, never queued without
    /// bound, when the reader falls behind: re-read the snapshot on any note.
    public func changes() -> AsyncStream<TunnelChange> {
        let (id, stream) = broadcaster.subscribe()
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
        apply(effects, to: name)
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

    private func apply(_ effects: [SupervisorEffect], to name: String) {
        for effect in effects {
            switch effect {
            case .spawn(let generation):
                if let label = runtimes[name]?.connection {
                    deliver(.forwardWanted(tunnel: name, generation: generation), toConnection: label)
                } else {
                    launchChild(of: name, generation: generation)
                }
            case .terminate(let generation):
                if let label = runtimes[name]?.connection {
                    let supervisor = runtimes[name]?.supervisor
                    if case .publicProbeFailed? = supervisor?.cause, supervisor?.state == .unreachable {
                        deliver(.forwardProbeFailed(tunnel: name, generation: generation), toConnection: label)
                    } else {
                        deliver(.forwardReleased(tunnel: name, generation: generation), toConnection: label)
                    }
                } else if let child = runtimes[name]?.child, child.generation == generation {
                    child.task.cancel()
                }
            case .scheduleRetry(let token, let deadline):
                runtimes[name]?.retryTask?.cancel()
                runtimes[name]?.retryTask = Task { [clock] in
                    do {
                        try await clock.sleep(until: deadline)
                    } catch {
                        return
                    }
                    self.deliver(.retryDue(token: token), to: name)
                }
            case .startProbing(let generation):
                guard let tunnel = runtimes[name]?.supervisor.config else { continue }
                let group = order.firstIndex(of: name) ?? 0
                runtimes[name]?.probeTask?.cancel()
                runtimes[name]?.probeTask = Task { [prober, clock] in
                    let serverHost = tunnel.publicFollowsServer ? await self.serverHost(of: tunnel) : nil
                    await ProbeLoop.run(tunnel: tunnel, group: group, prober: prober, clock: clock, serverHost: serverHost) { outcome in
                        await self.deliver(.probeCompleted(generation: generation, outcome: outcome), to: name)
                    }
                }
            case .stopProbing:
                runtimes[name]?.probeTask?.cancel()
                runtimes[name]?.probeTask = nil
            case .log(let text):
                appendLog(text, origin: .supervisor, to: name)
            case .reclaim(let port, let token):
                guard let tunnel = runtimes[name]?.supervisor.config else { continue }
                let shared = runtimes[name]?.connection.flatMap { connectionTable.runtimes[$0] }
                let controlPath = shared?.supervisor.state == .up ? shared?.controlPath : nil
                Task { [launcher] in
                    let (reclaimed, detail) = await PortReclaimer.reclaim(tunnel, port: port, through: controlPath, launcher: launcher)
                    self.deliver(.reclaimFinished(token: token, reclaimed: reclaimed, detail: detail), to: name)
                }
            }
        }
    }

    /// Runs `body` as a tracked child task: shutdown cancels it and waits for it (and so for its process).
    func track(_ body: @escaping @Sendable (_ id: Int) async -> Void) -> Task<Void, Never> {
        let id = nextChildID
        nextChildID += 1
        let task = Task { await body(id) }
        runningChildren[id] = task
        return task
    }

    func untrack(_ id: Int) {
        runningChildren[id] = nil
    }

    private func launchChild(of name: String, generation: Int) {
        guard !shuttingDown, let tunnel = runtimes[name]?.supervisor.config else { return }
        let arguments = SSHCommand.arguments(for: tunnel)
        let task = track { [launcher] id in
            // ssh -v prints eight debug lines per forwarded connection (every probe); the launcher drops the
            // ones that neither tell the story nor reveal a cause, before they cost a hop into the actor.
            let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments, skipping: SSHOutputFilter.isNoise) { output in
                await self.childReported(output, name: name, generation: generation)
            }
            await self.childEnded(name: name, generation: generation, exit: exit, id: id)
        }
        runtimes[name]?.child = (generation, task)
    }

    private func childReported(_ output: ChildOutput, name: String, generation: Int) {
        switch output {
        case .started(let pid):
            deliver(.childStarted(generation: generation, pid: pid), to: name)
        case .line(let raw):
            let line = TerminalText.sanitize(raw)
            if SSHOutputFilter.isWorthLogging(line) {
                appendLog(line, origin: .ssh, to: name)
            }
            deliver(.childOutput(generation: generation, line: line), to: name)
        }
    }

    private func childEnded(name: String, generation: Int, exit: ChildExit, id: Int) {
        untrack(id)
        if runtimes[name]?.child?.generation == generation {
            runtimes[name]?.child = nil
        }
        deliver(.childExited(generation: generation, exit: exit), to: name)
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
