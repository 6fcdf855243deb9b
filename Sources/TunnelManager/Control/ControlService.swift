import Foundation

/// Answers control requests with a ``TunnelManager``: status, actions, reload and subscriptions.
public struct ControlService: Sendable {
    private let manager: TunnelManager
    /// Who answers: this process, its mode and config.
    public let instance: ControlInstance
    private let configPath: String
    private let configCheck: IsolatedConfigCheck?
    /// Told about every reload that was applied (the alerts take their new settings from it).
    private var reloadObserver: (@Sendable (Config, ReloadSummary) async -> Void)?

    /// Creates a service for `manager`, reloading from `configPath`; `mode` is `daemon` or `dashboard`.
    /// With `configCheck`, a reload first validates the new file in a child process, so a file that
    /// crashes or hangs the parser is rejected without reaching this process.
    public init(manager: TunnelManager, configPath: String, mode: String, configCheck: IsolatedConfigCheck? = nil) {
        self.manager = manager
        self.configPath = configPath
        self.configCheck = configCheck
        self.instance = ControlInstance(pid: getpid(), mode: mode, config: configPath)
    }

    /// This service, also telling `observer` about every reload it applies.
    public func observingReloads(_ observer: @escaping @Sendable (Config, ReloadSummary) async -> Void) -> ControlService {
        var copy = self
        copy.reloadObserver = observer
        return copy
    }

    /// Carries out one request.
    public func handle(_ request: ControlRequest) async -> ControlResponse {
        do {
            switch request.command {
            case "status", "subscribe":
                break
            case "log":
                guard let name = request.name, let status = await manager.status(of: name, logLimit: Int.max) else {
                    return .failure("log needs a known tunnel name; known tunnels: \(await manager.names.joined(separator: ", "))")
                }
                return ControlResponse(ok: true, instance: instance, tunnels: [status])
            case "start", "stop", "restart":
                guard let name = request.name, !name.isEmpty else {
                    return .failure("\(request.command) needs a tunnel name; known tunnels: \(await manager.names.joined(separator: ", "))")
                }
                switch request.command {
                case "start": try await manager.start(name)
                case "stop": try await manager.stop(name)
                default: try await manager.restart(name)
                }
            case "start-all":
                await manager.startAll()
            case "stop-all":
                await manager.stopAll()
            case "reload":
                return await reload()
            default:
                return .failure("unknown command \"\(request.command)\"")
            }
        } catch {
            return .failure("\(error)")
        }
        return ControlResponse(ok: true, instance: instance, tunnels: await manager.snapshot(logLimit: 1))
    }

    /// Re-reads the config file and applies the difference; a file with errors changes nothing.
    public func reload() async -> ControlResponse {
        do {
            let text = try ConfigLoader.read(path: configPath)
            if let configCheck, let problems = await configCheck.problems(text: text, path: configPath) {
                return .failure("reload rejected, nothing changed:\n\(problems)")
            }
            let config = try ConfigLoader.parse(text: text, path: configPath)
            let summary = await manager.reload(config)
            await reloadObserver?(config, summary)
            return ControlResponse(ok: true, instance: instance, tunnels: await manager.snapshot(logLimit: 1), reload: summary)
        } catch {
            return .failure("reload rejected, nothing changed:\n\(error)")
        }
    }

    /// A stream of full snapshots, at most about ten a second, for `subscribe` clients.
    public func updates() async -> AsyncStream<ControlResponse> {
        let changes = await manager.changes()
        let (stream, continuation) = AsyncStream<ControlResponse>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let manager = self.manager
        let instance = self.instance
        let task = Task {
            for await _ in changes {
                continuation.yield(ControlResponse(ok: true, instance: instance, tunnels: await manager.snapshot(logLimit: 1)))
                try? await Task.sleep(for: .milliseconds(100))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
