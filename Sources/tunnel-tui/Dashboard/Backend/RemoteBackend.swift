import Dispatch
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// A running daemon, driven over its control socket; quitting only detaches and the tunnels keep running.
final class RemoteBackend: DashboardBackend {
    let socketPath: String
    private let subscription: ControlSubscription
    private let latest = SharedValue<[TunnelStatus]?>(nil)

    /// Connects to the daemon at `socketPath`.
    init(socketPath: String) throws(ControlError) {
        self.socketPath = socketPath
        subscription = try ControlSubscription(path: socketPath)
    }

    var ownsTunnels: Bool { false }

    func changes() async -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let updates = subscription.updates
        let latest = self.latest
        let task = Task {
            for await update in updates {
                if let tunnels = update.tunnels { latest.update { $0 = tunnels } }
                continuation.yield()
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func snapshot() async -> [TunnelStatus] {
        if let tunnels = latest.value { return tunnels }
        return (try? await request(.status))?.tunnels ?? []
    }

    func log(of name: String) async -> [LogEntry] {
        (try? await request(.log(tunnel: name)))?.tunnels?.first?.recentLog ?? []
    }

    func perform(_ effect: DashboardEffect) async -> String? {
        let request: ControlRequest
        switch effect {
        case .start(let name): request = .start(tunnel: name)
        case .stop(let name): request = .stop(tunnel: name)
        case .restart(let name): request = .restart(tunnel: name)
        case .startAll: request = .startAll
        case .stopAll: request = .stopAll
        case .reload: request = .reload
        case .quit, .repaint, .suspend: return nil
        }
        do {
            let reply = try await self.request(request)
            if case .reload = effect { return LocalBackend.describe(reply) }
            return reply.ok ? nil : reply.error
        } catch {
            return "\(error)"
        }
    }

    func finish() async {
        subscription.close()
    }

    /// One request; the blocking socket work runs on a dispatch queue, not the cooperative pool.
    private func request(_ request: ControlRequest) async throws -> ControlResponse {
        let path = socketPath
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try ControlClient.send(request, path: path))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
