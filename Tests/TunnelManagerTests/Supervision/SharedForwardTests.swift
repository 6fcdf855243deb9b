import Testing
@testable import TunnelManager

/// A tunnel's own state machine when its child is a forward on a shared connection: same states and causes.
@Suite("supervisor: a forward on a shared connection")
struct SharedForwardTests {
    static func sharedTunnel() -> TunnelConfig {
        var tunnel = TunnelSupervisorTests.tunnel()
        tunnel.shareConnection = true
        return tunnel
    }

    static func upForward() -> TunnelSupervisor {
        var supervisor = TunnelSupervisor(config: sharedTunnel(), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childStarted(generation: 1, pid: 500), now: .zero)
        _ = supervisor.handle(.forwardEstablished(generation: 1), now: .zero)
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: TunnelSupervisorTests.passed), now: .zero)
        return supervisor
    }

    @Test("the connection's confirmation starts probing and a passing probe makes it up, on the master's pid")
    func confirmedForwardComesUp() {
        var supervisor = TunnelSupervisor(config: Self.sharedTunnel(), now: .zero, seed: 1)
        #expect(supervisor.handle(.startRequested, now: .zero) == [.log("started"), .spawn(generation: 1)])
        #expect(supervisor.handle(.childStarted(generation: 1, pid: 500), now: .zero) == [.log("on the shared connection (ssh pid 500)")])
        #expect(supervisor.handle(.forwardEstablished(generation: 1), now: .seconds(1)).contains(.startProbing(generation: 1)))
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: TunnelSupervisorTests.passed), now: .seconds(2))
        #expect(supervisor.state == .up)
        #expect(supervisor.pid == 500)
    }

    @Test("a connection ended with its cause: the tunnel takes that cause (permission denied needs the user: failed)")
    func connectionCauseIsTheTunnels() {
        var supervisor = Self.upForward()
        let effects = supervisor.handle(.connectionEnded(generation: 1, exit: .exited(255), cause: .authenticationRefused), now: .seconds(5))
        #expect(supervisor.state == .failed)
        #expect(supervisor.cause == .authenticationRefused)
        guard case .scheduleRetry(_, let at)? = effects.last else {
            Issue.record("no retry: \(effects)")
            return
        }
        #expect(at == .seconds(65), "needs the user: retried at backoff_max")
    }

    @Test("a connection that is up again wakes a tunnel waiting in backoff, but not one waiting for its held port")
    func connectionReadyWakes() {
        var waiting = Self.upForward()
        _ = waiting.handle(.connectionEnded(generation: 1, exit: .exited(255), cause: .connectionClosed), now: .seconds(1))
        #expect(waiting.state == .backoff)
        #expect(waiting.handle(.connectionReady, now: .seconds(1)).contains(.spawn(generation: 2)))

        var held = TunnelSupervisor(config: Self.sharedTunnel(), now: .zero, seed: 1)
        _ = held.handle(.startRequested, now: .zero)
        _ = held.handle(.childOutput(generation: 1, line: "mux_client_forward: forwarding request failed: remote port forwarding failed for listen port 2222"), now: .zero)
        _ = held.handle(.childExited(generation: 1, exit: .exited(255)), now: .zero)
        #expect(held.cause == .remotePortInUse(port: 2222))
        #expect(held.handle(.connectionReady, now: .seconds(1)).isEmpty)
    }
}
