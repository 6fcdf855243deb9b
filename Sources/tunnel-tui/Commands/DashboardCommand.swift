import ArgumentParser
import Foundation
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
            guard let running = try? ControlClient.send(ControlRequest(command: "status"), path: path, timeoutSeconds: 3) else { continue }
            if let theirs = running.instance.map({ Self.standardized($0.config) }), theirs == wanted {
                try await Self.attach(to: running, socketPath: path)
                return
            }
            if path == socket.path { ownSocketServedBy = running.instance }
        }
        let config = try options.load()
        if let other = ownSocketServedBy {
            // Never start a second supervisor on a socket another config's instance serves.
            let who = "\(TerminalText.sanitize(other.mode)) pid \(other.pid) supervising \(TerminalText.sanitize(other.config))"
            FileHandle.standardError.write(Data("tunnel-tui: \(socket.path) is served by \(who), not \(config.path); stop it or pass --socket\n".utf8))
            throw ExitCode(1)
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
            FileHandle.standardError.write(Data("tunnel-tui: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let config = TerminalText.sanitize(running.instance?.config ?? "?")
        let label = "\(config) (attached to \(TerminalText.sanitize(running.instance?.mode ?? "daemon")) pid \(running.instance?.pid ?? 0))"
        await DashboardRuntime(backend: backend, configPath: label).run()
    }

    /// Runs the dashboard over `config` until the user quits, serving the control socket at `socketPath`.
    static func show(config: Config, socketPath: String, label: String? = nil) async throws {
        var logger = Logger(label: "tunnel-tui")
        logger.logLevel = .critical  // the screen is the log; nothing may write over it
        let manager = TunnelManager(config: config, logger: logger)
        let alerts = await AlertService.start(config: config, manager: manager, logger: logger)
        let service = ControlService(
            manager: manager, configPath: config.path, mode: "dashboard",
            configCheck: IsolatedConfigCheck.currentExecutable.map { IsolatedConfigCheck(executable: $0) })
            .observingReloads(alerts.reloaded)
        let server: ControlServer
        do {
            server = try ControlServer(path: socketPath, instance: service.instance, handler: service.handle, updates: service.updates)
        } catch {
            // Never start a second supervisor beside one that already answers on the socket.
            FileHandle.standardError.write(Data("tunnel-tui: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let exporter: MetricsExporter?
        do {
            exporter = try MetricsExporter.start(config: config, manager: manager, logger: logger)
        } catch {
            server.stop()
            FileHandle.standardError.write(Data("tunnel-tui: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await manager.watchNetworkChanges()
        await manager.startAutostartTunnels()
        await DashboardRuntime(backend: LocalBackend(manager: manager, service: service), configPath: label ?? config.path).run()
        server.stop()
        exporter?.stop()
        server.releaseLock()
    }
}
