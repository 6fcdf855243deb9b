// Longer than 250 lines: one state machine (start, output, exit, probes, retries, reclaim, server checks);
// its transitions share private state and read best together, and its unit tests walk them with explicit time.
import FoundationEssentials

/// The state machine of one tunnel: events in, effects out, time passed in explicitly.
///
/// It owns no process, timer or socket; the ``TunnelManager`` carries out its effects. That keeps backoff
/// and every transition testable fast and deterministically.
public struct TunnelSupervisor: Sendable {
    /// What the child should do after it exits.
    private enum AfterExit: Sendable {
        case backOff
        case respawnNow
        case stayStopped
    }

    /// The tunnel's settings.
    public private(set) var config: TunnelConfig
    /// Current state.
    public private(set) var state: TunnelState = .stopped
    /// Why the tunnel is not up (nil when up or stopped).
    public private(set) var cause: FailureCause?
    /// Monotonic time the state was entered.
    public private(set) var stateSince: Duration
    /// Tag of the current (or last) child.
    public private(set) var generation = 0
    /// The child's pid while it runs.
    public private(set) var pid: Int32?
    /// Whether a child was spawned and has not exited yet.
    public private(set) var childAlive = false
    /// Whether ssh reported the remote forward established.
    public private(set) var forwardEstablished = false
    /// Restarts so far, automatic and manual.
    public private(set) var restartCount = 0
    /// Failed attempts in a row: the backoff exponent.
    public private(set) var failureStreak = 0
    /// End-to-end probe failures in a row while the local side answers.
    public private(set) var probeFailureStreak = 0
    /// Monotonic time of the next retry in `backoff` or `failed`.
    public private(set) var retryAt: Duration?
    /// Since when the server has refused the remote port (held by a stale session), while it does.
    public private(set) var portHeldSince: Duration?
    /// Whether the reclaim script answered on the server the last time it was asked.
    private var reclaimUnavailable = false
    /// Retry period while the server holds the remote port and cannot be asked to free it.
    static let portRetryInterval = Duration.seconds(2)

    private var retryToken = 0
    private var forwardEstablishedAt: Duration?
    /// Set when a connection that had been up for `stable_after` dropped with a cause on the server's side:
    /// it reconnects as soon as the server's port answers a check (one TCP connect), not after the backoff.
    private var reconnectWhenServerAnswers = false
    private var strongestCauseFromChild: FailureCause?
    private var terminationCause: FailureCause?
    private var afterExit = AfterExit.backOff
    private var random: SeededRandom
    private let backoff: BackoffPolicy

    /// Creates a stopped supervisor. Child generations start after `generationBase`, so a replacement
    /// supervisor (after a reload) never mistakes a late event of its predecessor's child for its own.
    public init(config: TunnelConfig, now: Duration, seed: UInt64, generationBase: Int = 0) {
        self.config = config
        self.generation = generationBase
        self.stateSince = now
        self.random = SeededRandom(seed: seed)
        self.backoff = BackoffPolicy(initial: config.backoffInitial, maximum: config.backoffMax)
    }

    /// Time spent `up` so far, or nil when not up.
    public func uptime(now: Duration) -> Duration? {
        state == .up ? now - stateSince : nil
    }

    /// Handles one event at monotonic time `now` and returns the effects to carry out, in order.
    public mutating func handle(_ event: SupervisorEvent, now: Duration) -> [SupervisorEffect] {
        switch event {
        case .startRequested:
            switch state {
            case .stopped:
                failureStreak = 0
                return spawn(now: now, reason: "started")
            case .backoff, .failed:
                return spawn(now: now, reason: "retrying now (asked by user)")
            case .connecting, .up, .unreachable:
                return []
            }

        case .stopRequested, .shutdownRequested:
            guard state != .stopped || childAlive else { return [] }
            enter(.stopped, now: now)
            cause = nil
            retryAt = nil
            portHeldSince = nil
            retryToken += 1
            var effects: [SupervisorEffect] = [
                .stopProbing, .log(event == .stopRequested ? "stopped by user" : "stopped: supervisor shutting down"),
            ]
            if childAlive {
                afterExit = .stayStopped
                effects.append(.terminate(generation: generation))
            }
            return effects

        case .restartRequested:
            restartCount += 1
            failureStreak = 0
            if childAlive {
                afterExit = .respawnNow
                enter(.connecting, now: now)
                cause = nil
                return [.stopProbing, .log("restart requested by user"), .terminate(generation: generation)]
            }
            return [.log("restart requested by user")] + spawn(now: now, reason: "restarted")

        case .childStarted(let childGeneration, let childPid):
            guard childGeneration == generation, childAlive else { return [] }
            pid = childPid
            return [.log(config.shareConnection ? "on the shared connection (ssh pid \(childPid))" : "spawned ssh (pid \(childPid))")]

        case .forwardEstablished(let childGeneration):
            guard childGeneration == generation, childAlive, !forwardEstablished else { return [] }
            return establish(now: now)

        case .connectionEnded(let childGeneration, let exit, let connectionCause):
            guard childGeneration == generation, childAlive else { return [] }
            if terminationCause == nil { terminationCause = connectionCause }
            return handleExit(exit, now: now)

        case .connectionReady:
            guard state == .backoff || state == .failed else { return [] }
            if case .remotePortInUse? = cause { return [] }
            restartCount += 1
            return spawn(now: now, reason: "the shared connection is up; requesting the forward now")

        case .childOutput(let childGeneration, let line):
            guard childGeneration == generation, childAlive else { return [] }
            return handleOutput(line, now: now)

        case .childExited(let childGeneration, let exit):
            guard childGeneration == generation, childAlive else { return [] }
            return handleExit(exit, now: now)

        case .probeCompleted(let probeGeneration, let outcome):
            guard probeGeneration == generation, childAlive, forwardEstablished,
                  state == .connecting || state == .up || state == .unreachable
            else { return [] }
            return handleProbe(outcome, now: now)

        case .retryDue(let token):
            guard token == retryToken, state == .backoff || state == .failed else { return [] }
            restartCount += 1
            return spawn(now: now, reason: "restarting (attempt \(failureStreak + 1))")

        case .serverDown(let detail):
            guard state == .backoff, let current = cause, current.isServerLevel else { return [] }
            let waiting = FailureCause.serverUnreachable(detail)
            guard current != waiting else { return [] }
            cause = waiting
            retryToken += 1
            retryAt = nil
            return [.log("\(config.serverHost) does not answer on its ssh port (\(detail)); waiting for it with the other tunnels of this server")]

        case .reclaimFinished(let token, let reclaimed, let detail):
            guard token == retryToken, state == .backoff, case .remotePortInUse(let port)? = cause else { return [] }
            if reclaimed {
                reclaimUnavailable = false
                restartCount += 1
                return [.log("server: \(detail)")] + spawn(now: now, reason: "port \(port) reclaimed; reconnecting")
            }
            let firstTime = !reclaimUnavailable
            reclaimUnavailable = true
            var effects: [SupervisorEffect] = []
            if firstTime {
                let advice = config.reclaimScript
                    ? "The session holding it did not register (it predates reclaim_script = true, or the server lacks tunnel-tui-reclaim: tunnel-tui server-setup)"
                    : "Install tunnel-tui-reclaim on the server and set reclaim_script = true (tunnel-tui server-setup)"
                effects.append(.log("cannot reclaim port \(port) (\(detail)); retrying every \(Self.seconds(Self.portRetryInterval)) "
                                    + "until the server releases it. \(advice)"))
            }
            return effects + [scheduleRetry(at: now + Self.portRetryInterval)]

        case .networkChanged:
            // Tunnels waiting for their server follow its check instead (at most one attempt in flight).
            guard state == .backoff else { return [] }
            if case .serverUnreachable? = cause { return [] }
            failureStreak = 0
            restartCount += 1
            return spawn(now: now, reason: "the network changed; retrying now")

        case .serverAnswered:
            guard reconnectWhenServerAnswers, state == .backoff, cause?.isServerLevel == true else { return [] }
            reconnectWhenServerAnswers = false
            restartCount += 1
            return spawn(now: now, reason: "\(config.serverHost) answers; reconnecting now")

        case .serverUp:
            guard state == .backoff, case .serverUnreachable? = cause else { return [] }
            failureStreak = 0
            restartCount += 1
            return spawn(now: now, reason: "\(config.serverHost) answers again; reconnecting")
        }
    }

    // MARK: - Transitions

    private mutating func spawn(now: Duration, reason: String) -> [SupervisorEffect] {
        generation += 1
        retryToken += 1
        retryAt = nil
        childAlive = true
        pid = nil
        forwardEstablished = false
        forwardEstablishedAt = nil
        reconnectWhenServerAnswers = false
        strongestCauseFromChild = nil
        terminationCause = nil
        probeFailureStreak = 0
        afterExit = .backOff
        if state != .connecting { enter(.connecting, now: now) }
        return [.log(reason), .spawn(generation: generation)]
    }

    private mutating func handleOutput(_ line: String, now: Duration) -> [SupervisorEffect] {
        let lowered = line.lowercased()
        if !forwardEstablished,
           lowered.contains("remote forward success for: listen") || lowered.hasPrefix("allocated port") {
            return establish(now: now)
        }
        if let found = CauseClassifier.classify(line: line),
           CauseClassifier.rank(found) > strongestCauseFromChild.map(CauseClassifier.rank) ?? 0 {
            strongestCauseFromChild = found
        }
        return []
    }

    private mutating func establish(now: Duration) -> [SupervisorEffect] {
        forwardEstablished = true
        forwardEstablishedAt = now
        var effects: [SupervisorEffect] = [.log("forward established: \(config.remote) on \(config.serverHost) -> \(config.local)")]
        if config.tcpTimeout > .zero { effects.append(.armKeepalive(generation: generation)) }
        if config.probe == .none {
            effects += becomeUp(now: now, detail: "no probe configured")
        } else {
            effects.append(.startProbing(generation: generation))
        }
        return effects
    }

    private mutating func handleExit(_ exit: ChildExit, now: Duration) -> [SupervisorEffect] {
        childAlive = false
        pid = nil
        forwardEstablished = false
        var effects: [SupervisorEffect] = [.stopProbing]
        let exitCause = terminationCause ?? CauseClassifier.cause(of: exit, seen: strongestCauseFromChild)
        switch afterExit {
        case .stayStopped:
            effects.append(.log("\(childEnded) (\(exit))"))
            return effects
        case .respawnNow:
            effects.append(.log("\(childEnded) (\(exit)) for the restart"))
            return effects + spawn(now: now, reason: "restarting")
        case .backOff:
            // A connection that had been up for stable_after dropped cleanly: reconnect at once (it costs one
            // handshake); the streak starts again, so one that keeps failing quickly backs off as usual.
            let upLongEnough = forwardEstablishedAt.map { now - $0 >= config.stableAfter } ?? false
            if upLongEnough { failureStreak = 0 }
            if case .remotePortInUse(let port) = exitCause {
                // Retrying blindly cannot help: ask the server to end the stale session, or poll quickly.
                enter(.backoff, now: now)
                cause = exitCause
                portHeldSince = portHeldSince ?? now
                if reclaimUnavailable {
                    effects.append(.log("\(childEnded) (\(exit)): \(exitCause); retrying in \(Self.seconds(Self.portRetryInterval))"))
                    effects.append(scheduleRetry(at: now + Self.portRetryInterval))
                } else {
                    retryToken += 1
                    retryAt = nil
                    effects.append(.log("\(childEnded) (\(exit)): \(exitCause); asking the server to end the stale session"))
                    effects.append(.reclaim(port: port, token: retryToken))
                }
                return effects
            }
            portHeldSince = nil
            let delay: Duration
            if exitCause.needsUser {
                delay = config.backoffMax
                enter(.failed, now: now)
            } else if upLongEnough && !exitCause.isServerLevel {
                delay = .zero
                enter(.backoff, now: now)
            } else {
                delay = backoff.delay(afterFailures: failureStreak, random: random.nextUnit())
                enter(.backoff, now: now)
            }
            // A server-level cause (the connection closed, refused, timed out) is checked with one TCP connect
            // first: if the server answers, it reconnects then; if not, its tunnels wait for it together.
            reconnectWhenServerAnswers = upLongEnough && exitCause.isServerLevel && !exitCause.needsUser
            failureStreak += 1
            cause = exitCause
            let upFor = Self.seconds(now - (forwardEstablishedAt ?? now))
            let plan = delay == .zero ? "it had been up for \(upFor): reconnecting now"
                : reconnectWhenServerAnswers ? "it had been up for \(upFor): reconnecting as soon as the server answers (else in \(Self.seconds(delay)))"
                : "restarting in \(Self.seconds(delay))"
            effects.append(.log("\(childEnded) (\(exit)): \(exitCause); \(plan)"))
            effects.append(scheduleRetry(at: now + delay))
            return effects
        }
    }

    private mutating func handleProbe(_ outcome: ProbeOutcome, now: Duration) -> [SupervisorEffect] {
        if outcome.publicEnd.passed {
            probeFailureStreak = 0
            guard state != .up else { return [] }
            return becomeUp(now: now, detail: "probe passed in \(outcome.publicEnd.latencyDescription)")
        }
        if let local = outcome.localEnd, !local.passed {
            probeFailureStreak = 0
            let localCause = FailureCause.localServiceDown("\(config.local): \(local.detail)")
            guard cause != localCause || state != .unreachable else { return [] }
            enter(.unreachable, now: now)
            cause = localCause
            return [.log("local service \(config.local) is down (\(local.detail)); the tunnel is fine and is not restarted for it")]
        }
        probeFailureStreak += 1
        let probeCause = FailureCause.publicProbeFailed(outcome.publicEnd.detail)
        if state != .unreachable { enter(.unreachable, now: now) }
        cause = probeCause
        var effects: [SupervisorEffect] = [
            .log("probe of \(config.publicEndpoint) failed (\(outcome.publicEnd.detail)), \(probeFailureStreak) of \(config.probeFailures)")
        ]
        if probeFailureStreak >= config.probeFailures {
            terminationCause = probeCause
            probeFailureStreak = 0
            effects += [
                .log("restarting ssh: the public end failed \(config.probeFailures) probes in a row while the local side answers"),
                .stopProbing,
                .terminate(generation: generation),
            ]
        }
        return effects
    }

    /// Arms the retry timer for `deadline`, voiding any earlier one.
    private mutating func scheduleRetry(at deadline: Duration) -> SupervisorEffect {
        retryToken += 1
        retryAt = deadline
        return .scheduleRetry(token: retryToken, at: deadline)
    }

    private mutating func becomeUp(now: Duration, detail: String) -> [SupervisorEffect] {
        enter(.up, now: now)
        cause = nil
        portHeldSince = nil
        return [.log("up (\(detail))")]
    }

    private mutating func enter(_ newState: TunnelState, now: Duration) {
        state = newState
        stateSince = now
    }

    /// How the end of the child reads in the log: the tunnel's own ssh, or its forward on a shared connection.
    private var childEnded: String { config.shareConnection ? "forward ended" : "ssh exited" }

    static func seconds(_ duration: Duration) -> String {
        let value = duration.seconds
        return String.fixed(value, digits: value < 10 ? 1 : 0) + " s"
    }
}
