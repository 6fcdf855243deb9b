import Synchronization
import TunnelManager

/// A prober whose every endpoint answers or not, as the test says; counts the checks.
final class SwitchableProber: EndpointProber {
    private let state = Mutex((answering: false, checks: 0))

    var answering: Bool {
        get { state.withLock { $0.answering } }
        set { state.withLock { $0.answering = newValue } }
    }

    var checks: Int { state.withLock { $0.checks } }

    func probe(_ request: ProbeRequest) async -> ProbeResult {
        let passed = state.withLock { state -> Bool in
            state.checks += 1
            return state.answering
        }
        return ProbeResult(passed: passed, latency: .milliseconds(1), detail: passed ? "ok" : "connection refused")
    }
}
