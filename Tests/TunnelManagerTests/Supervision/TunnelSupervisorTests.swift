import Testing
@testable import TunnelManager

/// The state machine with explicit time: every transition, backoff and storm bound, fast and deterministic.
@Suite("supervisor: state machine")
struct TunnelSupervisorTests {
    /// A tunnel with its own ssh (`share_connection = false`): its child is an ssh process.
    static func tunnel(probe: ProbeKind = .banner, failures: Int = 2) -> TunnelConfig {
        var tunnel = TunnelConfig(
            name: "web", server: "tunnel@vps", serverPort: nil, identityFile: nil, hostKeyPolicy: .strict,
            sshOptions: [], sshProgram: "ssh", keepaliveInterval: .seconds(15), keepaliveCount: 3,
            connectTimeout: .seconds(10), probe: probe, expect: "SSH-", httpPath: "/", probeInterval: .seconds(5),
            probeTimeout: .seconds(3), probeFailures: failures, backoffInitial: .seconds(1), backoffMax: .seconds(60),
            stableAfter: .seconds(30), logLines: 500, remote: RemoteBinding(bindAddress: nil, port: 2222),
            local: Endpoint(host: "localhost", port: 22), publicEndpoint: Endpoint(host: "vps", port: 2222), autostart: true)
        tunnel.shareConnection = false
        return tunnel
    }

    static let forwardLine = "debug1: remote forward success for: listen 2222, connect localhost:22"
    static let passed = ProbeOutcome(publicEnd: ProbeResult(passed: true, latency: .milliseconds(12), detail: "ok"), localEnd: nil)
    static let publicFailed = ProbeOutcome(
        publicEnd: ProbeResult(passed: false, latency: .seconds(3), detail: "connected, but no banner within 3s"),
        localEnd: ProbeResult(passed: true, latency: .milliseconds(1), detail: "ok"))
    static let bothFailed = ProbeOutcome(
        publicEnd: ProbeResult(passed: false, latency: .milliseconds(5), detail: "connection closed without an answer"),
        localEnd: ProbeResult(passed: false, latency: .milliseconds(1), detail: "connection refused"))

    /// A supervisor brought to `up` at time 0.
    static func upSupervisor(probe: ProbeKind = .banner) -> TunnelSupervisor {
        var supervisor = TunnelSupervisor(config: tunnel(probe: probe), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childStarted(generation: 1, pid: 100), now: .zero)
        _ = supervisor.handle(.childOutput(generation: 1, line: forwardLine), now: .zero)
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: passed), now: .zero)
        return supervisor
    }

    @Test("start spawns ssh; the forward report starts probing; a passing probe makes it up")
    func startToUp() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 1)
        #expect(supervisor.state == .stopped)
        #expect(supervisor.handle(.startRequested, now: .zero) == [.log("started"), .spawn(generation: 1)])
        #expect(supervisor.state == .connecting)
        #expect(supervisor.handle(.childStarted(generation: 1, pid: 42), now: .zero) == [.log("spawned ssh (pid 42)")])
        #expect(supervisor.pid == 42)
        let effects = supervisor.handle(.childOutput(generation: 1, line: Self.forwardLine), now: .seconds(1))
        #expect(effects.contains(.startProbing(generation: 1)))
        #expect(supervisor.state == .connecting, "not up before the end-to-end probe passes")
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.passed), now: .seconds(2))
        #expect(supervisor.state == .up)
        #expect(supervisor.uptime(now: .seconds(12)) == .seconds(10))
    }

    @Test("once the forward is established the connection is handed to the kernel's keepalive, unless tcp_timeout is 0s")
    func armsKeepalive() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childStarted(generation: 1, pid: 42), now: .zero)
        #expect(supervisor.handle(.childOutput(generation: 1, line: Self.forwardLine), now: .zero).contains(.armKeepalive(generation: 1)))

        var off = Self.tunnel()
        off.tcpTimeout = .zero
        var quiet = TunnelSupervisor(config: off, now: .zero, seed: 1)
        _ = quiet.handle(.startRequested, now: .zero)
        _ = quiet.handle(.childStarted(generation: 1, pid: 42), now: .zero)
        #expect(!quiet.handle(.childOutput(generation: 1, line: Self.forwardLine), now: .zero).contains { if case .armKeepalive = $0 { true } else { false } })
    }

    @Test("with probe = none the forward report alone makes it up")
    func noProbe() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(probe: .none), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        let effects = supervisor.handle(.childOutput(generation: 1, line: Self.forwardLine), now: .zero)
        #expect(supervisor.state == .up)
        #expect(!effects.contains(.startProbing(generation: 1)))
    }

    @Test("an exit schedules a retry with backoff and names the cause from ssh's output")
    func exitBacksOff() {
        var supervisor = Self.upSupervisor()
        _ = supervisor.handle(.childOutput(generation: 1, line: "Connection to vps closed by remote host."), now: .seconds(5))
        let effects = supervisor.handle(.childExited(generation: 1, exit: .exited(255)), now: .seconds(5))
        #expect(supervisor.state == .backoff)
        #expect(supervisor.cause == .connectionClosed)
        guard case .scheduleRetry(let token, let at)? = effects.last else {
            Issue.record("no retry scheduled: \(effects)")
            return
        }
        #expect(at >= .seconds(6) && at <= .milliseconds(6200), "1 s plus at most 20% jitter")
        #expect(supervisor.retryAt == at)
        #expect(effects.contains(.stopProbing))
        _ = supervisor.handle(.retryDue(token: token), now: at)
        #expect(supervisor.state == .connecting)
        #expect(supervisor.restartCount == 1)
        #expect(supervisor.generation == 2)
    }

    @Test("a tunnel whose ssh dies at once spawns at most 6 times in its first minute")
    func noStorm() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 7)
        var now = Duration.zero
        var spawns: [Duration] = []
        var effects = supervisor.handle(.startRequested, now: now)
        while now < .seconds(60) {
            guard case .spawn(let generation)? = effects.first(where: { if case .spawn = $0 { true } else { false } }) else {
                Issue.record("expected a spawn: \(effects)")
                return
            }
            spawns.append(now)
            _ = supervisor.handle(.childOutput(generation: generation, line: "ssh: connect to host vps port 22: Connection refused"), now: now)
            let exitEffects = supervisor.handle(.childExited(generation: generation, exit: .exited(255)), now: now)
            #expect(supervisor.cause == .connectionRefused)
            guard case .scheduleRetry(let token, let at)? = exitEffects.last else { return }
            now = at
            effects = supervisor.handle(.retryDue(token: token), now: now)
        }
        let inFirstMinute = spawns.filter { $0 < .seconds(60) }
        #expect(inFirstMinute.count <= 6, "spawned at \(inFirstMinute)")
        #expect(inFirstMinute.count >= 5, "but it keeps trying: \(inFirstMinute)")
    }

    @Test("the backoff doubles from backoff_initial, caps at backoff_max, and resets after stable_after up")
    func backoffSchedule() {
        let policy = BackoffPolicy(initial: .seconds(1), maximum: .seconds(60))
        #expect((0..<8).map { policy.delay(afterFailures: $0, random: 0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(policy.delay(afterFailures: 2, random: 1) == .milliseconds(4800))
        #expect(policy.delay(afterFailures: 20, random: 1) == .seconds(60), "jitter never passes the maximum")

        var supervisor = Self.upSupervisor()
        // Each connection dies 5 s after its forward (< stable_after): the streak grows.
        var forwardAt = Duration.zero
        for round in 1...3 {
            _ = supervisor.handle(.childExited(generation: supervisor.generation, exit: .exited(255)), now: forwardAt + .seconds(5))
            #expect(supervisor.failureStreak == round)
            forwardAt += .seconds(6)
            _ = supervisor.handle(.startRequested, now: forwardAt)
            _ = supervisor.handle(.childOutput(generation: supervisor.generation, line: Self.forwardLine), now: forwardAt)
        }
        // Up for 40 s > stable_after (30 s): the next failure starts again from backoff_initial.
        let effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .exited(255)), now: forwardAt + .seconds(40))
        #expect(supervisor.failureStreak == 1)
        guard case .scheduleRetry(_, let at)? = effects.last else { return }
        #expect(at - (forwardAt + .seconds(40)) <= .milliseconds(1200))
    }

    @Test("a long-lived ssh that is killed is restarted at once, not after backoff_initial")
    func immediateRetryAfterStableRun() {
        var supervisor = Self.upSupervisor()
        let dropped = Duration.seconds(600)
        let effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .signaled(9)), now: dropped)
        guard case .scheduleRetry(let token, let at)? = effects.last else {
            Issue.record("no retry scheduled: \(effects)")
            return
        }
        #expect(at == dropped, "at once, not after backoff_initial")
        #expect(effects.contains { if case .log(let text) = $0 { text.contains("reconnecting now") } else { false } })
        let retry = supervisor.handle(.retryDue(token: token), now: dropped)
        #expect(retry.contains { if case .spawn = $0 { true } else { false } })
    }

    @Test("a long-lived connection the server closed reconnects as soon as the server answers a check, not after the backoff")
    func reconnectWhenServerAnswers() {
        var supervisor = Self.upSupervisor()
        let dropped = Duration.seconds(600)
        _ = supervisor.handle(.childOutput(generation: supervisor.generation, line: "Connection to vps closed by remote host."), now: dropped)
        let effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .exited(255)), now: dropped)
        #expect(supervisor.cause?.isServerLevel == true, "\(String(describing: supervisor.cause))")
        guard case .scheduleRetry(_, let at)? = effects.last else {
            Issue.record("no fallback retry: \(effects)")
            return
        }
        #expect(at > dropped, "the server may be down: nothing is spawned before its check")
        let answered = supervisor.handle(.serverAnswered, now: dropped + .milliseconds(3))
        #expect(answered.contains { if case .spawn = $0 { true } else { false } }, "\(answered)")
        #expect(supervisor.state == .connecting)
    }

    @Test("a server's answer does not cut the backoff of a tunnel whose connections keep dropping quickly")
    func serverAnswerKeepsBackoffForShortRuns() {
        var supervisor = Self.upSupervisor()
        // Up for 5 s only (< stable_after): the drop backs off as usual, whatever a server check says.
        _ = supervisor.handle(.childOutput(generation: supervisor.generation, line: "Connection to vps closed by remote host."), now: .seconds(5))
        _ = supervisor.handle(.childExited(generation: supervisor.generation, exit: .exited(255)), now: .seconds(5))
        #expect(supervisor.handle(.serverAnswered, now: .seconds(5)).isEmpty)
        #expect(supervisor.state == .backoff)
    }

    @Test("after the immediate retry, a tunnel that keeps dying quickly backs off and stays within the storm bound")
    func immediateRetryStillBacksOff() {
        var supervisor = Self.upSupervisor()
        var now = Duration.seconds(600)
        var spawns: [Duration] = []
        var effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .signaled(9)), now: now)
        let dropped = now
        // From now on every ssh dies at once, before any forward.
        for _ in 0..<20 {
            guard case .scheduleRetry(let token, let at)? = effects.last else { break }
            now = at
            guard now - dropped < .seconds(60) else { break }
            _ = supervisor.handle(.retryDue(token: token), now: now)
            spawns.append(now - dropped)
            effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .signaled(9)), now: now + .milliseconds(100))
        }
        #expect(spawns.first == .zero, "the first retry is immediate: \(spawns)")
        #expect(spawns.count <= 6, "no storm in the minute after the drop: \(spawns)")
        #expect(spawns.count >= 4, "but it keeps trying: \(spawns)")
        #expect(zip(spawns, spawns.dropFirst()).allSatisfy { $1 - $0 >= .seconds(1) }, "later retries wait: \(spawns)")
    }

    @Test("a cause that needs the user goes to failed and retries at backoff_max", arguments: [
        ("tunnel@vps: Permission denied (publickey).", FailureCause.authenticationRefused),
        ("Host key verification failed.", FailureCause.hostKeyVerificationFailed),
        ("No ED25519 host key is known for [vps]:22 and you have requested strict checking.", FailureCause.hostKeyUnknown),
    ])
    func needsUser(line: String, cause: FailureCause) {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childOutput(generation: 1, line: line), now: .zero)
        let effects = supervisor.handle(.childExited(generation: 1, exit: .exited(255)), now: .seconds(1))
        #expect(supervisor.state == .failed)
        #expect(supervisor.cause == cause)
        guard case .scheduleRetry(_, let at)? = effects.last else {
            Issue.record("no retry scheduled: \(effects)")
            return
        }
        #expect(at == .seconds(61), "exactly backoff_max, no jitter beyond it")
    }

    @Test("ssh that cannot be started is failed with 'ssh not found'")
    func sshMissing() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childExited(generation: 1, exit: .launchFailed("ssh not found or not executable")), now: .zero)
        #expect(supervisor.state == .failed)
        #expect(supervisor.cause?.needsUser == true)
        #expect(supervisor.cause?.description.hasPrefix("ssh not found") == true)
    }

    @Test("probe failures with the local side answering restart ssh after probe_failures in a row")
    func brokenTunnelRestarts() {
        var supervisor = Self.upSupervisor()
        let first = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.publicFailed), now: .seconds(10))
        #expect(supervisor.state == .unreachable)
        #expect(!first.contains(.terminate(generation: 1)))
        #expect(first.contains(.log("probe of vps:2222 failed (connected, but no banner within 3s), 1 of 2")))
        let second = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.publicFailed), now: .seconds(15))
        #expect(second.contains(.terminate(generation: 1)))
        _ = supervisor.handle(.childExited(generation: 1, exit: .signaled(15)), now: .seconds(16))
        #expect(supervisor.state == .backoff)
        #expect(supervisor.cause == .publicProbeFailed("connected, but no banner within 3s"))
    }

    @Test("a pass between failures resets the count")
    func passResets() {
        var supervisor = Self.upSupervisor()
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.publicFailed), now: .seconds(10))
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.passed), now: .seconds(15))
        #expect(supervisor.state == .up)
        let effects = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.publicFailed), now: .seconds(20))
        #expect(!effects.contains(.terminate(generation: 1)))
    }

    @Test("local and public both down: the service is down, said once, and ssh is not restarted")
    func localServiceDown() {
        var supervisor = Self.upSupervisor()
        var all: [SupervisorEffect] = []
        for second in 1...10 {
            all += supervisor.handle(.probeCompleted(generation: 1, outcome: Self.bothFailed), now: .seconds(second * 5))
        }
        #expect(supervisor.state == .unreachable)
        #expect(supervisor.cause == .localServiceDown("localhost:22: connection refused"))
        #expect(!all.contains(.terminate(generation: 1)))
        #expect(all.filter { if case .log = $0 { true } else { false } }.count == 1)
        _ = supervisor.handle(.probeCompleted(generation: 1, outcome: Self.passed), now: .seconds(60))
        #expect(supervisor.state == .up)
        #expect(supervisor.cause == nil)
    }

    @Test("stop ends the child, keeps the tunnel stopped after it exits, and cancels a pending retry")
    func stop() {
        var supervisor = Self.upSupervisor()
        let effects = supervisor.handle(.stopRequested, now: .seconds(1))
        #expect(supervisor.state == .stopped, "stopped at once, before the child has exited")
        #expect(effects.contains(.terminate(generation: 1)))
        #expect(effects.contains(.log("stopped by user")))
        #expect(supervisor.handle(.childExited(generation: 1, exit: .signaled(15)), now: .seconds(2)) == [.stopProbing, .log("ssh exited (signal 15)")])
        #expect(supervisor.state == .stopped)
        #expect(supervisor.handle(.retryDue(token: 1), now: .seconds(100)).isEmpty)
    }

    @Test("restart terminates the child, counts a restart and respawns at once when it exits")
    func restart() {
        var supervisor = Self.upSupervisor()
        let effects = supervisor.handle(.restartRequested, now: .seconds(1))
        #expect(effects.contains(.terminate(generation: 1)))
        #expect(supervisor.state == .connecting)
        #expect(supervisor.restartCount == 1)
        let exitEffects = supervisor.handle(.childExited(generation: 1, exit: .signaled(15)), now: .seconds(2))
        #expect(exitEffects.contains(.spawn(generation: 2)))
    }

    @Test("start in backoff retries at once; events of an old child are ignored")
    func staleEvents() {
        var supervisor = Self.upSupervisor()
        _ = supervisor.handle(.childExited(generation: 1, exit: .exited(255)), now: .seconds(1))
        #expect(supervisor.state == .backoff)
        #expect(supervisor.handle(.startRequested, now: .seconds(1)).contains(.spawn(generation: 2)))
        #expect(supervisor.handle(.childOutput(generation: 1, line: Self.forwardLine), now: .seconds(2)).isEmpty)
        #expect(supervisor.handle(.probeCompleted(generation: 1, outcome: Self.passed), now: .seconds(2)).isEmpty)
        #expect(supervisor.state == .connecting)
    }

    @Test("it never gives up: after 20 failures in a row it still retries at backoff_max")
    func neverGivesUp() {
        var supervisor = TunnelSupervisor(config: Self.tunnel(), now: .zero, seed: 3)
        var now = Duration.zero
        var effects = supervisor.handle(.startRequested, now: now)
        for _ in 0..<20 {
            effects = supervisor.handle(.childExited(generation: supervisor.generation, exit: .exited(255)), now: now)
            guard case .scheduleRetry(let token, let at)? = effects.last else {
                Issue.record("gave up: \(effects)")
                return
            }
            #expect(at - now <= .seconds(60))
            now = at
            effects = supervisor.handle(.retryDue(token: token), now: now)
        }
        #expect(effects.contains(.spawn(generation: 21)))
        #expect(supervisor.restartCount == 20)
    }
}

@Suite("supervisor: a remote port held by a stale session")
struct StalePortTests {
    private static let inUse = "Error: remote port forwarding failed for listen port 2222"

    @Test("port in use: ask the server to reclaim it once, then reconnect at once when it did")
    func reclaimed() {
        var supervisor = TunnelSupervisorTests.upSupervisor()
        _ = supervisor.handle(.childExited(generation: 1, exit: .exited(255)), now: .seconds(100))
        _ = supervisor.handle(.startRequested, now: .seconds(100))
        _ = supervisor.handle(.childOutput(generation: 2, line: Self.inUse), now: .seconds(101))
        let effects = supervisor.handle(.childExited(generation: 2, exit: .exited(255)), now: .seconds(101))
        guard case .reclaim(let port, let token)? = effects.last else {
            Issue.record("no reclaim asked: \(effects)")
            return
        }
        #expect(port == 2222)
        #expect(supervisor.state == .backoff && supervisor.retryAt == nil)
        #expect(supervisor.portHeldSince == .seconds(101))
        let after = supervisor.handle(.reclaimFinished(token: token, reclaimed: true, detail: "reclaimed port 2222"), now: .seconds(102))
        #expect(after.contains(.spawn(generation: 3)))
    }

    @Test("without the reclaim script, it polls every 2 s, says how long it has waited, and never grows the backoff")
    func fallback() {
        var supervisor = TunnelSupervisor(config: TunnelSupervisorTests.tunnel(), now: .zero, seed: 1)
        _ = supervisor.handle(.startRequested, now: .zero)
        _ = supervisor.handle(.childOutput(generation: 1, line: Self.inUse), now: .zero)
        guard case .reclaim(_, let token)? = supervisor.handle(.childExited(generation: 1, exit: .exited(255)), now: .zero).last else {
            Issue.record("no reclaim asked")
            return
        }
        let failed = supervisor.handle(.reclaimFinished(token: token, reclaimed: false, detail: "sh: reclaim: not found"), now: .seconds(1))
        #expect(failed.contains { if case .log(let text) = $0 { text.contains("tunnel-tui server-setup") } else { false } })
        var now = Duration.seconds(1)
        for attempt in 2...12 {
            guard case .scheduleRetry(let retry, let at)? = supervisor.handle(.childExited(generation: attempt - 1, exit: .exited(255)), now: now).last
                    ?? (attempt == 2 ? failed.last : nil) else {
                Issue.record("no retry at attempt \(attempt)")
                return
            }
            #expect(at - now <= .seconds(2), "every 2 s, attempt \(attempt)")
            now = at
            _ = supervisor.handle(.retryDue(token: retry), now: now)
            _ = supervisor.handle(.childOutput(generation: attempt, line: Self.inUse), now: now)
        }
        #expect(supervisor.portHeldSince == .zero, "the wait is counted from the first refusal")
        #expect(supervisor.cause == .remotePortInUse(port: 2222))
    }
}
