import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import Logging
import TunnelManager

/// `tunnel-tui` (default): the dashboard over the configured tunnels, supervising them in-process.
struct DashboardCommand: SignalHandlingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (the default): supervise the tunnels and show them live.",
        discussion: "Quitting stops every tunnel it started. Keys: press ? in the dashboard.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var socket: SocketOptions

    func run() async throws {
        // A running instance of this config (the user's own, or the boot-started system daemon) is attached
        // to before the file is loaded: a login user may read the system config but not the service's key.
        let wanted = (try? ConfigLocator.locate(explicit: options.config)).map(Self.standardized)
        var ownSocketServedBy: ControlInstance?
        for path in socket.clientPaths {
            guard let running = try? ControlClient.send(.status, path: path, timeoutSeconds: 3) else { continue }
            if let theirs = running.instance.map({ Self.standardized($0.config) }), theirs == wanted {
                try await Self.attach(to: running, socketPath: path)
                return
            }
            if path == socket.path { ownSocketServedBy = running.instance }
        }
        let config = try options.load()
        if let other = ownSocketServedBy {
            // Never start a second supervisor on a socket another config's instance serves.
            throw SupervisorError.socketServedByOther(socket: socket.path, instance: other, config: config.path)
        }
        try await Self.show(config: config, socketPath: socket.path)
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Drives the instance that already supervises this config; quitting detaches and the tunnels keep running.
    static func attach(to running: ControlResponse, socketPath: String) async throws {
        let backend: RemoteBackend
        do {
            backend = try RemoteBackend(socketPath: socketPath)
        } catch {
            throw SupervisorError.attach(error)
        }
        let config = TerminalText.sanitize(running.instance?.config ?? "?")
        let label = "\(config) (attached to \(TerminalText.sanitize(running.instance?.mode ?? "daemon")) pid \(running.instance?.pid ?? 0))"
        await DashboardRuntime(backend: backend, configPath: label).run(on: NcursesTerminal())
    }

    /// Runs the dashboard over `config` until the user quits (or a signal arrives), serving the control socket
    /// at `socketPath`; `before` are services started before the supervisor's and stopped after it (the demo's sshd).
    static func show(config: Config, socketPath: String, label: String? = nil, before: [any Service] = []) async throws {
        var logger = Logger(label: "tunnel-tui")
        logger.logLevel = .critical  // the screen is the log; nothing may write over it
        let supervisor = SupervisorServices(config: config, mode: "dashboard", socketPath: socketPath, logger: logger)
        let screen = DashboardScreenService(
            runtime: DashboardRuntime(backend: LocalBackend(manager: supervisor.manager, service: supervisor.control), configPath: label ?? config.path))
        try await supervisor.run(before: before, after: [screen])
    }
}
