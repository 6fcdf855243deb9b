import Synchronization
import TunnelManager
@testable import tunnel_tui

/// A ``DashboardBackend`` with fixed tunnels instead of a manager: it records the effects it was asked to
/// perform (answering each with a notice, `done: EFFECT`) and how often it was finished.
final class FakeDashboardBackend: DashboardBackend {
    private struct Contents {
        var tunnels: [TunnelStatus]
        var effects: [DashboardEffect] = []
        var finishCount = 0
    }

    let ownsTunnels: Bool
    private let contents: Mutex<Contents>
    private let changeStream = AsyncStream<Void>.makeStream()

    /// A backend serving `tunnels` (each with the sample log).
    init(tunnels: [TunnelStatus] = SampleState.tunnels, ownsTunnels: Bool = true) {
        self.ownsTunnels = ownsTunnels
        contents = Mutex(Contents(tunnels: tunnels))
    }

    /// The effects performed so far, in order.
    var effects: [DashboardEffect] { contents.withLock { $0.effects } }
    /// How often ``finish()`` was called.
    var finishCount: Int { contents.withLock { $0.finishCount } }

    func changes() async -> AsyncStream<Void> { changeStream.stream }

    func snapshot() async -> [TunnelStatus] { contents.withLock { $0.tunnels } }

    func log(of name: String) async -> [LogEntry] { SampleState.log }

    func perform(_ effect: DashboardEffect) async -> String? {
        contents.withLock { $0.effects.append(effect) }
        return "done: \(effect)"
    }

    func finish() async {
        contents.withLock { $0.finishCount += 1 }
        changeStream.continuation.finish()
    }

    /// The manager's tunnels change (and the dashboard hears of it).
    func update(_ tunnels: [TunnelStatus]) {
        contents.withLock { $0.tunnels = tunnels }
        changeStream.continuation.yield()
    }

    /// The manager goes away (a daemon that stopped): the dashboard leaves.
    func disappear() {
        changeStream.continuation.finish()
    }
}
