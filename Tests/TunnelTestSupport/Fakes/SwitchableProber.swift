import Synchronization
import TunnelManager

/// A prober whose every endpoint answers or not, as the test says; counts the checks.
public final class SwitchableProber: EndpointProber {
    private let state = Mutex((answering: false, checks: 0))

    /// A prober that does not answer until told to.
    public init() {}

    /// Whether every probe passes.
    public var answering: Bool {
        get { state.withLock { $0.answering } }
        set { state.withLock { $0.answering = newValue } }
    }

    /// Probes so far.
    public var checks: Int { state.withLock { $0.checks } }

    /// Passes or fails at once, as ``answering`` says.
    public func probe(_ request: ProbeRequest) async -> ProbeResult {
        let passed = state.withLock { state -> Bool in
            state.checks += 1
            return state.answering
        }
        return ProbeResult(passed: passed, latency: .milliseconds(1), detail: passed ? "ok" : "connection refused")
    }
}
