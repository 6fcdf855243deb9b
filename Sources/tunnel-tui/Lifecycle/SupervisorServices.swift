import Logging
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The services of every command that supervises tunnels (daemon, dashboard, demo), wired in this one place:
/// the control socket, the metrics exporter, the network monitor, the alerts, the tunnel manager and the
/// release of startup's pages, started in that order and stopped in reverse by one ``ServiceGroup``, with
/// what the command adds before them (the demo's sshd) and after them (the daemon's systemd notifications and
/// signals, the dashboard's screen).
///
/// Stopping, last first: the command's own services (STOPPING=1 for the daemon), then the manager ends every
/// ssh child, then the metrics stop, then the control socket closes and gives up the instance lock.
struct SupervisorServices: Sendable {
    /// Supervises the tunnels.
    let manager: TunnelManager
    /// Answers the control socket, and reloads.
    let control: ControlService
    private let config: Config
    private let socketPath: String
    private let sharedGroup: gid_t?
    private let logger: Logger
    /// The alerts, once started (reloads reach them through the control service).
    private let alerts: SharedValue<AlertService?>

    /// Wires the services for `config`; nothing runs, binds or starts until ``run(before:after:)``. `mode` is
    /// `daemon` or `dashboard`; `willReload` and `didReload` run around every reload.
    init(
        config: Config, mode: String, socketPath: String, sharedGroup: gid_t? = nil, logger: Logger,
        willReload: @escaping @Sendable () -> Void = {}, didReload: @escaping @Sendable (ControlResponse) -> Void = { _ in }
    ) {
        self.config = config
        self.socketPath = socketPath
        self.sharedGroup = sharedGroup
        self.logger = logger
        let alerts = SharedValue<AlertService?>(nil)
        self.alerts = alerts
        // The shared ssh connections' control sockets live next to the instance's own.
        let runtimeDirectory = socketPath.lastIndex(of: "/").map { String(socketPath[..<$0]) }.flatMap { $0.isEmpty ? "/" : $0 }
        manager = TunnelManager(config: config, logger: logger, runtimeDirectory: runtimeDirectory)
        control = ControlService(
            manager: manager, configPath: config.path, mode: mode,
            configCheck: IsolatedConfigCheck.currentExecutable.map { IsolatedConfigCheck(executable: $0) },
            willReload: willReload, didReload: didReload)
            .observingReloads { [alerts] config, summary in await alerts.value?.reloaded(config, summary) }
    }

    /// The supervisor's own services, in start order.
    var services: [any Service] {
        let manager = self.manager
        let config = self.config
        let logger = self.logger
        let exporter = SharedValue<MetricsExporter?>(nil)
        return [
            ControlSocketService(path: socketPath, sharedGroup: sharedGroup, control: control),
            StartStopService("metrics exporter", start: {
                do {
                    let started = try MetricsExporter.start(config: config, manager: manager, logger: logger)
                    exporter.update { $0 = started }
                } catch {
                    throw SupervisorError.metrics(error)
                }
            }, stop: { exporter.value?.stop() }),
            // The manager's shutdown stops the monitor too.
            StartStopService("network monitor", start: { await manager.watchNetworkChanges() }),
            // Before the tunnels start, so it sees them from the first state on; stopped after they end.
            StartStopService("alerts", start: { [alerts] in
                let service = await AlertService.start(config: config, manager: manager, logger: logger)
                alerts.update { $0 = service }
            }, stop: { [alerts] in await alerts.value?.stop() }),
            StartStopService("tunnel manager", start: { await manager.startAutostartTunnels() }, stop: { await manager.shutdown() }),
            // Startup's pages, once it has settled: what stays resident is what the tunnels keep using.
            StartupPageReleaseService(logger: logger, warmUp: { [control] in await control.warmUp() }),
        ]
    }

    /// Runs `before`, the supervisor's services and `after` until one of them ends (the screen closes, a
    /// signal) or fails, then stops them all, last first; rethrows the first failure (a ``SupervisorError``
    /// when the socket or the metrics could not start).
    func run(before: [any Service] = [], after: [any Service]) async throws {
        try await ServiceGroup(services: before + services + after, logger: logger).run()
    }
}
