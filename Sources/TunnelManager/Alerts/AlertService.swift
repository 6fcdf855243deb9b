import Logging

/// Watches a ``TunnelManager`` and alerts: follows its change notes, feeds each tunnel's status to
/// ``AlertRules``, wakes at the rules' deadlines through the manager's clock, and hands events to an
/// ``AlertHookRunner``. It never blocks the manager: it only reads statuses, and hooks run on their own.
///
/// It ends by itself when the manager shuts down (its change stream ends).
public actor AlertService {
    private let manager: TunnelManager
    private let clock: any SupervisorClock
    private let logger: Logger
    private var rules: AlertRules
    private let runner: AlertHookRunner
    private var watcher: Task<Void, Never>?
    private var timer: (deadline: Duration, task: Task<Void, Never>)?

    /// Starts alerting for `manager` with the alert settings of `config`; `clock` must be the manager's.
    public static func start(
        config: Config, manager: TunnelManager, logger: Logger, clock: any SupervisorClock = SystemSupervisorClock(),
        runner: AlertHookRunner? = nil
    ) async -> AlertService {
        let service = AlertService(config: config, manager: manager, logger: logger, clock: clock, runner: runner)
        await service.watch()
        return service
    }

    private init(config: Config, manager: TunnelManager, logger: Logger, clock: any SupervisorClock, runner: AlertHookRunner?) {
        self.manager = manager
        self.clock = clock
        self.logger = logger
        self.rules = AlertRules(settings: config.alerts)
        self.runner = runner ?? AlertHookRunner(timeout: config.alerts.timeout) { [manager, logger] report in
            for name in report.tunnels {
                await manager.appendAlertLog(report.text, to: name)
            }
            if report.isProblem {
                logger.warning("alert for \(report.tunnels.joined(separator: ", ")): \(report.text)")
            }
        }
        if config.alerts.command != nil {
            logger.notice("alerts: \(config.alerts.command?.first ?? "") after \(DurationParser.format(config.alerts.alertAfter)) not up")
        }
    }

    /// Applies a reloaded config's alert settings; the reload's own restarts alert nothing.
    public func reloaded(_ config: Config, _ summary: ReloadSummary) async {
        rules.reloaded(settings: config.alerts, changed: summary.changed, removed: summary.removed, now: clock.now())
        await runner.setTimeout(config.alerts.timeout)
        if Self.hasHook(config.alerts) {
            if watcher == nil {
                await watch()
            } else {
                await observeAll()
            }
        } else {
            unwatch()
        }
    }

    /// Whether any tunnel may alert; without a hook the manager is not even watched (no cost per change).
    private static func hasHook(_ settings: AlertSettings) -> Bool {
        settings.command != nil || settings.tunnels.values.contains { $0.command != nil && $0.enabled }
    }

    /// Stops watching and kills running hooks.
    public func stop() async {
        watcher?.cancel()
        timer?.task.cancel()
        timer = nil
        await runner.stop()
    }

    private func watch() async {
        guard Self.hasHook(rules.settings), watcher == nil else { return }
        let changes = await manager.changes(of: [.status])
        await observeAll()
        watcher = Task { [weak self] in
            for await change in changes {
                await self?.observe(change.name)
            }
        }
    }

    private func unwatch() {
        watcher?.cancel()
        watcher = nil
        timer?.task.cancel()
        timer = nil
    }

    private func observeAll() async {
        let statuses = await manager.snapshot()
        let present = Set(statuses.map(\.name))
        for name in rules.trackedNames where !present.contains(name) { rules.forget(name) }
        let now = clock.now()
        var events: [AlertEvent] = []
        for status in statuses { events += rules.observe(AlertObservation(status), now: now) }
        await send(events + rules.due(now: now))
    }

    private func observe(_ name: String) async {
        let status = await manager.status(of: name, logLimit: 0)
        let now = clock.now()
        var events: [AlertEvent] = []
        if let status {
            events = rules.observe(AlertObservation(status), now: now)
        } else {
            rules.forget(name)
        }
        await send(events + rules.due(now: now))
    }

    private func tick() async {
        timer = nil
        await send(rules.due(now: clock.now()))
    }

    private func send(_ events: [AlertEvent]) async {
        for event in events {
            logger.notice("alert \(event.summary)")
            await runner.send(event)
        }
        arm()
    }

    /// Sleeps until the rules' next deadline (re-armed when it moves).
    private func arm() {
        guard let deadline = rules.nextDeadline else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline == deadline { return }
        timer?.task.cancel()
        let clock = self.clock
        timer = (deadline, Task { [weak self] in
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            await self?.tick()
        })
    }
}
