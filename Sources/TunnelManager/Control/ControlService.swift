import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Answers control requests with a ``TunnelManager``: status, actions, reload and subscriptions, in one
/// dispatch over ``ControlRequest``.
public struct ControlService: Sendable {
    private let manager: TunnelManager
    /// Who answers: this process, its mode and config.
    public let instance: ControlInstance
    private let configPath: String
    private let configCheck: IsolatedConfigCheck?
    private let willReload: @Sendable () -> Void
    private let didReload: @Sendable (ControlResponse) -> Void
    /// Told about every reload that was applied, with the new config (the alerts take their settings from it).
    private var reloadObserver: (@Sendable (Config, ReloadSummary) async -> Void)?

    /// Creates a service for `manager`, reloading from `configPath`; `mode` is `daemon` or `dashboard`.
    /// With `configCheck`, a reload first validates the new file in a child process, so a file that
    /// crashes or hangs the parser is rejected without reaching this process. `willReload` and `didReload`
    /// run around every reload, by request or by ``reload()`` (the daemon tells systemd).
    public init(
        manager: TunnelManager, configPath: String, mode: String, configCheck: IsolatedConfigCheck? = nil,
        willReload: @escaping @Sendable () -> Void = {}, didReload: @escaping @Sendable (ControlResponse) -> Void = { _ in }
    ) {
        self.manager = manager
        self.configPath = configPath
        self.configCheck = configCheck
        self.willReload = willReload
        self.didReload = didReload
        self.instance = ControlInstance(pid: getpid(), mode: mode, config: configPath)
    }

    /// This service, also telling `observer` about every reload it applies.
    public func observingReloads(_ observer: @escaping @Sendable (Config, ReloadSummary) async -> Void) -> ControlService {
        var copy = self
        copy.reloadObserver = observer
        return copy
    }

    /// Carries out one request. `subscribe` answers with the current snapshot; the updates that follow come
    /// from ``updates()``.
    public func handle(_ request: ControlRequest) async -> ControlResponse {
        do {
            switch request {
            case .status, .subscribe:
                break
            case .log(let name):
                guard let status = await manager.status(of: name, logLimit: Int.max) else {
                    return .failure("log needs a known tunnel name; known tunnels: \(await manager.names.joined(separator: ", "))")
                }
                return .tunnels([status], instance: instance)
            case .start(let name):
                try await manager.start(name)
            case .stop(let name):
                try await manager.stop(name)
            case .restart(let name):
                try await manager.restart(name)
            case .startAll:
                await manager.startAll()
            case .stopAll:
                await manager.stopAll()
            case .reload:
                return await reload()
            }
        } catch {
            return .failure("\(error)")
        }
        return .tunnels(await manager.snapshot(logLimit: 1), instance: instance)
    }

    /// Answers one `status` request as a client's is answered (request decoded from its JSON line, reply
    /// encoded into one) and drops the reply. Run before startup's pages are released, it leaves the Swift
    /// runtime's lookups for that path (JSON coding of every reply type) cached, so a later `status` maps
    /// only the code it runs instead of the type tables of the whole executable.
    public func warmUp() async {
        guard let line = try? ControlCoding.encoder().encode(ControlRequest.status),
              let request = try? ControlCoding.decoder().decode(ControlRequest.self, from: line) else { return }
        _ = ControlSessions.encode(await handle(request))
    }

    /// Re-reads the config file and applies the difference; a file with errors changes nothing.
    public func reload() async -> ControlResponse {
        willReload()
        let reply = await reloadConfig()
        didReload(reply)
        return reply
    }

    private func reloadConfig() async -> ControlResponse {
        do {
            let text = try ConfigLoader.read(path: configPath)
            if let configCheck, let problems = await configCheck.problems(text: text, path: configPath) {
                return .failure("reload rejected, nothing changed:\n\(problems)")
            }
            let config = try ConfigLoader.parse(text: text, path: configPath)
            let summary = await manager.reload(config)
            await reloadObserver?(config, summary)
            return .reloaded(summary, tunnels: await manager.snapshot(logLimit: 1), instance: instance)
        } catch {
            return .failure("reload rejected, nothing changed:\n\(error)")
        }
    }

    /// A stream of full snapshots, at most about ten a second, for `subscribe` clients.
    public func updates() async -> AsyncStream<ControlResponse> {
        let changes = await manager.changes(keeping: 1)
        let (stream, continuation) = AsyncStream<ControlResponse>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let manager = self.manager
        let instance = self.instance
        let task = Task {
            for await _ in changes {
                continuation.yield(.tunnels(await manager.snapshot(logLimit: 1), instance: instance))
                try? await Task.sleep(for: .milliseconds(100))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
