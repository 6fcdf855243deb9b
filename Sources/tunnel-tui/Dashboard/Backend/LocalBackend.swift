import TunnelManager

/// Tunnels supervised in this process; quitting stops them (``SupervisorServices`` does, after the screen).
struct LocalBackend: DashboardBackend {
    let manager: TunnelManager
    let service: ControlService

    var ownsTunnels: Bool { true }

    /// At most one note a frame: a tunnel whose ssh floods its log would otherwise wake this task and the
    /// dashboard's for every line, though the screen is redrawn at most once a frame. The first note after a
    /// quiet spell passes at once.
    func changes() async -> AsyncStream<Void> {
        let changes = await manager.changes(keeping: 1)
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let task = Task {
            for await _ in changes {
                continuation.yield()
                try? await Task.sleep(for: DashboardRuntime.frameInterval)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func snapshot() async -> [TunnelStatus] { await manager.snapshot(logLimit: 1) }

    func log(of name: String) async -> [LogEntry] { await manager.log(of: name) }

    func perform(_ effect: DashboardEffect) async -> String? {
        switch effect {
        case .start(let name): try? await manager.start(name)
        case .stop(let name): try? await manager.stop(name)
        case .restart(let name): try? await manager.restart(name)
        case .startAll: await manager.startAll()
        case .stopAll: await manager.stopAll()
        case .reload: return Self.describe(await service.reload())
        case .quit, .repaint, .suspend: break
        }
        return nil
    }

    /// Nothing to do: the service group stops the manager (every ssh child) once the screen has closed.
    func finish() async {}

    /// Footer feedback for a reload reply.
    static func describe(_ reply: ControlResponse) -> String {
        reply.ok ? "reloaded: \(reply.reload?.description ?? "")"
            : "reload rejected: " + (reply.error ?? "").split(separator: "\n").dropFirst().joined(separator: "; ")
    }
}
