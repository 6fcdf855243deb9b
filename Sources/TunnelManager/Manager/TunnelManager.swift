import FoundationEssentials
import Logging

/// Supervises every tunnel: owns their state, runs their ssh children and probes, and tells UIs what changed.
///
/// Nothing outside this actor mutates a tunnel. Each tunnel's logic lives in a ``TunnelSupervisor``; the
/// actor feeds it events (user actions, child output and exits, probe results, timers) and carries out the
/// effects it returns. Nothing here waits on a UI: change notes are dropped for subscribers that fall behind.
public actor TunnelManager {
    private struct Runtime {
        var supervisor: TunnelSupervisor
        var log: TunnelLog
        var latency = LatencyHistory()
        var child: (generation: Int, task: Task<Void, Never>)?
        var probeTask: Task<Void, Never>?
        var retryTask: Task<Void, Never>?
    }

    private var runtimes: [String: Runtime] = [:]
    private var order: [String]
    private let launcher: any ChildLauncher
    private let prober: any EndpointProber
    private let clock: any SupervisorClock
    private let logger: Logger
    private var subscribers: [UUID: AsyncStream<TunnelChange>.Continuation] = [:]
    private var runningChildren: [Int: Task<Void, Never>] = [:]
    private var nextChildID = 0
    private var shuttingDown = false
    private var generationBase = 0
    /// Servers whose ssh port is being checked after a server-level failure, by ``serverKey(_:)``.
    private var serverChecks: [String: Task<Void, Never>] = [:]
    /// Servers known not to answer, with why.
    private var serversDown: [String: String] = [:]
    /// Where each server's ssh really connects (`ssh -G`: a Host alias's HostName), by ``serverKey(_:)``;
    /// looked up when a tunnel without `public` is first probed, forgotten on reload.
    private var serverEndpoints: [String: Endpoint] = [:]
    private var networkMonitor: NetworkChangeMonitor?
    private let seed: UInt64
    /// Prometheus metrics of every tunnel, fed as events happen.
    public nonisolated let metrics = TunnelMetrics()

    /// Creates a manager for the tunnels of `config`; nothing starts until asked.
    public init(
        config: Config,
        launcher: any ChildLauncher = SpawnLauncher(),
        prober: any EndpointProber = SocketProber(),
        clock: any SupervisorClock = SystemSupervisorClock(),
        logger: Logger = Logger(label: "tunnel-tui"),
        seed: UInt64 = UInt64.random(in: 0...UInt64.max)
    ) {
        self.launcher = launcher
        self.prober = prober
        self.clock = clock
        self.logger = logger
        self.order = config.tunnels.map(\.name)
        self.seed = seed
        for tunnel in config.tunnels {
            generationBase += 1_000_000
            runtimes[tunnel.name] = Self.runtime(for: tunnel, generationBase: generationBase, seed: seed, now: clock.now())
            metrics.register(tunnel.name)
        }
    }

    private func makeRuntime(_ tunnel: TunnelConfig) -> Runtime {
        generationBase += 1_000_000
        return Self.runtime(for: tunnel, generationBase: generationBase, seed: seed, now: clock.now())
    }

    private static func runtime(for tunnel: TunnelConfig, generationBase: Int, seed: UInt64, now: Duration) -> Runtime {
        Runtime(
            supervisor: TunnelSupervisor(config: tunnel, now: now, seed: seed &+ UInt64(generationBase), generationBase: generationBase),
            log: TunnelLog(capacity: tunnel.logLines))
    }

    /// Applies a new configuration: new tunnels start (when autostart), removed ones stop, changed ones
    /// restart with their new settings, unchanged ones keep running with their counters.
    public func reload(_ config: Config) -> ReloadSummary {
        var summary = ReloadSummary()
        serverEndpoints = [:]
        let newNames = Set(config.tunnels.map(\.name))
        for name in order where !newNames.contains(name) {
            retire(name)
            summary.removed.append(name)
        }
        for tunnel in config.tunnels {
            if let existing = runtimes[tunnel.name] {
                if existing.supervisor.config == tunnel {
                    summary.unchanged.append(tunnel.name)
                    continue
                }
                let wasActive = existing.supervisor.state.isActive
                retire(tunnel.name)
                runtimes[tunnel.name] = makeRuntime(tunnel)
                appendLog("settings changed by a reload; restarting with the new ones", origin: .supervisor, to: tunnel.name)
                if wasActive || tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
                summary.changed.append(tunnel.name)
            } else {
                runtimes[tunnel.name] = makeRuntime(tunnel)
                if tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
                summary.added.append(tunnel.name)
            }
        }
        order = config.tunnels.map(\.name)
        logger.notice("reloaded \(config.path): \(summary)")
        for name in newNames { notify(name, .status) }
        return summary
    }

    // MARK: - Per-server circuit breaker

    /// Tunnels with the same key share one server and its reachability.
    private static func serverKey(_ tunnel: TunnelConfig) -> String {
        "\(tunnel.server)|\(tunnel.serverPort.map(String.init) ?? "")|\(tunnel.sshOptions.joined(separator: " "))"
    }

    /// The host a tunnel's ssh really connects to (its server's Host alias resolved by `ssh -G`), looked up
    /// once per server.
    private func serverHost(of tunnel: TunnelConfig) async -> String {
        await serverEndpoint(of: tunnel).host
    }

    /// Where a tunnel's ssh really connects, host and port (`ssh -G`), looked up once per server.
    private func serverEndpoint(of tunnel: TunnelConfig) async -> Endpoint {
        let key = Self.serverKey(tunnel)
        if let known = serverEndpoints[key] { return known }
        let endpoint = await ServerAddressResolver.resolve(tunnel, launcher: launcher)
        serverEndpoints[key] = endpoint
        return endpoint
    }

    /// A tunnel's ssh failed because its server did not answer: check the server once, and while it does not
    /// answer, hold every tunnel of that server behind one cheap TCP check instead of each retrying ssh.
    private func serverLevelFailure(of name: String) {
        guard let tunnel = runtimes[name]?.supervisor.config else { return }
        let key = Self.serverKey(tunnel)
        if let detail = serversDown[key] {
            deliver(.serverDown(detail: detail), to: name)
            return
        }
        guard serverChecks[key] == nil else { return }
        startServerCheck(key, tunnel: tunnel)
    }

    /// One TCP check of the server's ssh port now, then every `server_check_interval` while it does not
    /// answer; marks the server down on the first failure (unless known down) and up when it answers.
    private func startServerCheck(_ key: String, tunnel: TunnelConfig) {
        serverChecks[key] = Task { [launcher, prober, clock] in
            let endpoint = await ServerAddressResolver.resolve(tunnel, launcher: launcher)
            let request = ProbeRequest(endpoint: endpoint, kind: .tcp, timeout: min(tunnel.connectTimeout, .seconds(3)))
            while !Task.isCancelled {
                let result = await prober.probe(request)
                if Task.isCancelled { return }
                if result.passed {
                    self.serverAnswered(key)
                    return
                }
                self.markServerDown(key, detail: "\(endpoint): \(result.detail)")
                do {
                    try await clock.sleep(until: clock.now() + tunnel.serverCheckInterval)
                } catch {
                    return
                }
            }
        }
    }

    private func tunnels(ofServer key: String) -> [String] {
        order.filter { name in runtimes[name].map { Self.serverKey($0.supervisor.config) == key } ?? false }
    }

    private func markServerDown(_ key: String, detail: String) {
        guard serversDown[key] == nil else { return }
        serversDown[key] = detail
        logger.notice("server \(key.split(separator: "|").first ?? ""): ssh port not answering (\(detail)); its tunnels wait for it")
        for name in tunnels(ofServer: key) {
            deliver(.serverDown(detail: detail), to: name)
        }
    }

    /// The check reached the server: if it was down, every tunnel of it reconnects now; if not, tunnels whose
    /// long-lived connection just dropped reconnect now.
    private func serverAnswered(_ key: String) {
        serverChecks[key] = nil
        guard serversDown.removeValue(forKey: key) != nil else {
            for name in tunnels(ofServer: key) { deliver(.serverAnswered, to: name) }
            return
        }
        logger.notice("server \(key.split(separator: "|").first ?? ""): ssh port answers again; reconnecting its tunnels")
        for name in tunnels(ofServer: key) {
            deliver(.serverUp, to: name)
        }
    }

    /// The network changed: tunnels in backoff retry now with a fresh backoff, and servers known to be down
    /// are checked again at once.
    public func networkChanged() {
        guard !shuttingDown else { return }
        logger.notice("network changed: retrying now")
        for name in order { deliver(.networkChanged, to: name) }
        for key in serversDown.keys {
            guard let name = tunnels(ofServer: key).first, let tunnel = runtimes[name]?.supervisor.config else { continue }
            serverChecks[key]?.cancel()
            startServerCheck(key, tunnel: tunnel)
        }
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

    /// Stops a tunnel: ends its ssh child and keeps it stopped.
    public func stop(_ name: String) throws(TunnelManagerError) {
        try checkKnown(name)
        deliver(.stopRequested, to: name)
    }

    /// Restarts a tunnel's ssh child now (counted as a restart).
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
        for check in serverChecks.values { check.cancel() }
        networkMonitor?.stop()
        while let (_, task) = runningChildren.first {
            task.cancel()
            await task.value
        }
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    // MARK: - Reading state

    /// Every tunnel's status, in config order, each with its newest `logLimit` log lines.
    public func snapshot(logLimit: Int = 0) -> [TunnelStatus] {
        order.compactMap { status(of: $0, logLimit: logLimit) }
    }

    /// One tunnel's status with its newest `logLimit` log lines, or nil for an unknown name.
    public func status(of name: String, logLimit: Int = 50) -> TunnelStatus? {
        guard let runtime = runtimes[name] else { return nil }
        let supervisor = runtime.supervisor
        let tunnel = supervisor.config
        let now = clock.now()
        return TunnelStatus(
            name: name, server: tunnel.server, remote: tunnel.remoteDescription, local: tunnel.local.description,
            publicEndpoint: tunnel.publicEndpoint.description, state: supervisor.state,
            cause: Self.describe(supervisor, now: now), hint: supervisor.cause?.hint,
            causeNeedsUser: supervisor.cause?.needsUser ?? false, pid: supervisor.pid,
            since: Date().addingTimeInterval(-(now - supervisor.stateSince).seconds),
            uptimeSeconds: supervisor.uptime(now: now)?.seconds, restarts: supervisor.restartCount,
            retryInSeconds: supervisor.retryAt.map { max(0, ($0 - now).seconds) },
            latencyMilliseconds: runtime.latency.last, latencyHistory: runtime.latency.samples,
            latencyMinimum: runtime.latency.minimum, latencyAverage: runtime.latency.average,
            latencyMaximum: runtime.latency.maximum, command: SSHCommand.commandLine(for: tunnel),
            recentLog: logLimit > 0 ? runtime.log.entries(limit: logLimit) : [], autostart: tunnel.autostart)
    }

    /// The cause in words; a held remote port says how long the tunnel has been waiting for it.
    private static func describe(_ supervisor: TunnelSupervisor, now: Duration) -> String? {
        if case .remotePortInUse(let port)? = supervisor.cause, let since = supervisor.portHeldSince {
            return "waiting for the server to release port \(port) (stale session), \(Int((now - since).seconds)) s"
        }
        return supervisor.cause?.description
    }

    /// A tunnel's whole kept log, oldest first.
    public func log(of name: String) -> [LogEntry] {
        runtimes[name]?.log.entries() ?? []
    }

    /// A stream of change notes for a UI; it ends at shutdown. Notes are dropped, never queued without
    /// bound, when the reader falls behind: re-read the snapshot on any note.
    public func changes() -> AsyncStream<TunnelChange> {
        let (stream, continuation) = AsyncStream<TunnelChange>.makeStream(bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    // MARK: - Events in, effects out

    private func checkKnown(_ name: String) throws(TunnelManagerError) {
        guard runtimes[name] != nil else { throw .unknownTunnel(name, known: order) }
    }

    private func deliver(_ event: SupervisorEvent, to name: String) {
        guard !shuttingDown, var runtime = runtimes[name] else { return }
        let before = (runtime.supervisor.state, runtime.supervisor.pid, runtime.supervisor.restartCount)
        let effects = runtime.supervisor.handle(event, now: clock.now())
        if case .probeCompleted(let generation, let outcome) = event, generation == runtime.supervisor.generation {
            runtime.latency.record(outcome.publicEnd)
            metrics.recordProbe(name, outcome.publicEnd)
        }
        if runtime.supervisor.restartCount > before.2 {
            metrics.recordRestarts(name, count: runtime.supervisor.restartCount - before.2)
        }
        runtimes[name] = runtime
        apply(effects, to: name)
        if case .childExited = event, runtime.supervisor.state == .backoff, runtime.supervisor.cause?.isServerLevel == true {
            serverLevelFailure(of: name)
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
                launchChild(of: name, generation: generation)
            case .terminate(let generation):
                if let child = runtimes[name]?.child, child.generation == generation {
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
                    while !Task.isCancelled {
                        let publicEnd = await prober.probe(.publicEnd(of: tunnel, serverHost: serverHost))
                        var localEnd: ProbeResult?
                        if !publicEnd.passed && !Task.isCancelled {
                            localEnd = await prober.probe(.localEnd(of: tunnel))
                        }
                        if Task.isCancelled { return }
                        let outcome = ProbeOutcome(publicEnd: publicEnd, localEnd: localEnd)
                        self.deliver(.probeCompleted(generation: generation, outcome: outcome), to: name)
                        do {
                            try await clock.sleep(until: ProbeSchedule.next(after: clock.now(), interval: tunnel.probeInterval, group: group))
                        } catch {
                            return
                        }
                    }
                }
            case .stopProbing:
                runtimes[name]?.probeTask?.cancel()
                runtimes[name]?.probeTask = nil
            case .armKeepalive(let generation):
                guard let tunnel = runtimes[name]?.supervisor.config, let pid = runtimes[name]?.supervisor.pid else { continue }
                // Off the actor: it reads the process's descriptors and the kernel's TCP table.
                Task.detached {
                    let port = await self.serverEndpoint(of: tunnel).port
                    do throws(KernelKeepaliveError) {
                        _ = try KernelKeepalive(timeout: tunnel.tcpTimeout).arm(pid: pid, serverPort: port)
                    } catch {
                        await self.keepaliveFailed(error, name: name, generation: generation)
                    }
                }
            case .log(let text):
                appendLog(text, origin: .supervisor, to: name)
            case .reclaim(let port, let token):
                guard let tunnel = runtimes[name]?.supervisor.config else { continue }
                Task { [launcher] in
                    let lines = SharedValue<[String]>([])
                    let exit = await launcher.run(program: tunnel.sshProgram, arguments: SSHCommand.reclaimArguments(for: tunnel, port: port)) { output in
                        if case .line(let line) = output { lines.update { $0.append(TerminalText.sanitize(line)) } }
                    }
                    let said = lines.value.last { !$0.isEmpty } ?? ""
                    let reclaimed = exit == .exited(0) && said.hasPrefix("reclaimed port")
                    let detail = reclaimed ? said : (said.isEmpty ? "ssh \(exit)" : "\(said) (\(exit))")
                    self.deliver(.reclaimFinished(token: token, reclaimed: reclaimed, detail: detail), to: name)
                }
            }
        }
    }

    /// Arming failed: said once in the tunnel's log (the tunnel runs on, watched by ssh and the probes).
    private func keepaliveFailed(_ error: KernelKeepaliveError, name: String, generation: Int) {
        guard runtimes[name]?.supervisor.generation == generation, runtimes[name]?.supervisor.childAlive == true else { return }
        appendLog("\(error)", origin: .supervisor, to: name)
    }

    private func launchChild(of name: String, generation: Int) {
        guard !shuttingDown, let tunnel = runtimes[name]?.supervisor.config else { return }
        let id = nextChildID
        nextChildID += 1
        let arguments = SSHCommand.arguments(for: tunnel)
        let task = Task { [launcher] in
            // ssh -v prints eight debug lines per forwarded connection (every probe); the launcher drops the
            // ones that neither tell the story nor reveal a cause, before they cost a hop into the actor.
            let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments, skipping: SSHOutputFilter.isNoise) { output in
                await self.childReported(output, name: name, generation: generation)
            }
            self.childEnded(name: name, generation: generation, exit: exit, id: id)
        }
        runningChildren[id] = task
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
        runningChildren[id] = nil
        if runtimes[name]?.child?.generation == generation {
            runtimes[name]?.child = nil
        }
        deliver(.childExited(generation: generation, exit: exit), to: name)
    }

    func appendLog(_ text: String, origin: LogEntry.Origin, to name: String) {
        runtimes[name]?.log.append(LogEntry(time: Date(), origin: origin, text: text))
        switch origin {
        case .supervisor: logger.notice("\(name): \(text)")
        case .ssh: logger.info("\(name): ssh: \(text)")
        }
        notify(name, .log)
    }

    private func notify(_ name: String, _ kind: TunnelChange.Kind) {
        for continuation in subscribers.values {
            continuation.yield(TunnelChange(name: name, kind: kind))
        }
    }
}

extension SupervisorEvent {
    fileprivate var isProbe: Bool {
        if case .probeCompleted = self { return true }
        return false
    }
}
