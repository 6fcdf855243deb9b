import ArgumentParser
import Foundation
import Logging
import TunnelManager

/// `tunnel-tui` (default): the dashboard over the configured tunnels, supervising them in-process.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (the default): supervise the tunnels and show them live.",
        discussion: "Quitting stops every tunnel it started. Keys: press ? in the dashboard.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var socket: SocketOptions

    func run() async throws {
        let config = try options.load()
        try await Self.show(config: config, socketPath: socket.path)
    }

    /// Runs the dashboard over `config` until the user quits, serving the control socket at `socketPath`.
    static func show(config: Config, socketPath: String, label: String? = nil) async throws {
        var logger = Logger(label: "tunnel-tui")
        logger.logLevel = .critical  // the screen is the log; nothing may write over it
        let manager = TunnelManager(config: config, logger: logger)
        let service = ControlService(manager: manager, configPath: config.path, mode: "dashboard")
        let server: ControlServer
        do {
            server = try ControlServer(path: socketPath, handler: service.handle, updates: service.updates)
        } catch {
            // Attaching to a running daemon is not built yet: never start a second supervisor beside it.
            FileHandle.standardError.write(Data("tunnel-tui: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await manager.startAutostartTunnels()
        await DashboardRuntime(manager: manager, service: service, configPath: label ?? config.path).run()
        server.stop()
    }
}
