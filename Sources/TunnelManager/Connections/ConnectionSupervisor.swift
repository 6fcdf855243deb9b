// Longer than 250 lines: one state machine, whose transitions read best together in one `handle` switch.
/// The state machine of one shared ssh connection: one master process carrying the remote forwards of every
/// tunnel with the same ``ConnectionKey``. Events in, effects out, time passed in explicitly.
///
/// Each tunnel keeps its own ``TunnelSupervisor`` (states, causes, backoff, probes, reclaim); to it, its
/// forward on this connection is its child: asking for a forward is a spawn, the master's pid is its pid, a
/// cancelled or refused forward is an exit, and a master that ends is an exit of every forward it carried,
/// with the master's cause. One master runs at a time, whatever the number of tunnels wanting it.
public struct ConnectionSupervisor: Sendable {
    /// Why the master is being ended by us.
    private enum Ending: Sendable, Hashable {
        /// No tunnel wants it any more.
        case unwanted
        /// Every forward failed its public probe: the connection is half-open.
        case halfOpen
    }

    /// The settings the connection's tunnels share.
    public let key: ConnectionKey
    /// Short name shown to the user (`c1`).
    public let label: String
    /// Current state.
    public private(set) var state: ConnectionState = .idle
    /// Monotonic time the state was entered.
    public private(set) var stateSince: Duration
    /// Tag of the current (or last) master.
    public private(set) var generation: Int
    /// The master's pid while it runs.
    public private(set) var pid: Int32?
    /// Masters started so far.
    public private(set) var masterStarts = 0
    /// Tunnels wanting their forward, with the generation of their supervisor's child.
    public private(set) var wanted: [String: Int] = [:]
    /// Forwards the master confirmed, by tunnel.
    public private(set) var established: [String: Int] = [:]
    /// Forward requests in flight, by tunnel.
    private var requested: [String: Int] = [:]
    /// Tunnels released while their request was in flight: cancel once it ends.
    private var cancelAfterRequest: Set<String> = []
    /// Cancels in flight, by tunnel.
    private var cancelling: [String: Int] = [:]
    /// The latest probe round of each established forward: passed or not.
    private var lastProbePassed: [String: Bool] = [:]
    private var strongestCause: FailureCause?
    private var ending: Ending?
    private var becameUp = false
    /// No master starts on a tunnel's retry timer before this time (after one that never came up).
    private var nextAttemptAt: Duration?
    private var retryToken = 0
    private var retryScheduled = false
    /// Least time between two masters that fail before they are up: even when every tunnel retries at once,
    /// the server sees at most one attempt per gap.
    private let attemptGap: Duration

    /// Creates an idle connection; master generations start after `generationBase`.
    public init(key: ConnectionKey, label: String, now: Duration, attemptGap: Duration, generationBase: Int = 0) {
        self.key = key
        self.label = label
        self.stateSince = now
        self.attemptGap = attemptGap
        self.generation = generationBase
    }

    /// Forwards carried now (established).
    public var forwardCount: Int { established.count }

    /// Handles one event at monotonic time `now` and returns the effects to carry out, in order.
    public mutating func handle(_ event: ConnectionEvent, now: Duration) -> [ConnectionEffect] {
        switch event {
        case .forwardWanted(let tunnel, let tunnelGeneration, let onTimer):
            wanted[tunnel] = tunnelGeneration
            lastProbePassed[tunnel] = nil
            switch state {
            case .up:
                return [attach(tunnel, tunnelGeneration), request(tunnel, tunnelGeneration)].compactMap { $0 }
            case .connecting:
                return [attach(tunnel, tunnelGeneration)].compactMap { $0 }
            case .closing:
                return []
            case .idle:
                return onTimer ? startMasterIfDue(now: now) : spawnMaster(now: now)
            }

        case .forwardReleased(let tunnel, let tunnelGeneration):
            return release(tunnel, tunnelGeneration)

        case .forwardProbeFailed(let tunnel, let tunnelGeneration):
            guard wanted[tunnel] == tunnelGeneration else { return release(tunnel, tunnelGeneration) }
            // Already reconnecting for all: the master's end ends this forward too.
            if state == .closing, ending == .halfOpen { return [] }
            let others = established.keys.filter { $0 != tunnel }
            guard state == .up, others.allSatisfy({ lastProbePassed[$0] == false }) else {
                return [.log("\(tunnel): its public end fails while other forwards of \(label) pass; requesting its forward again")]
                    + release(tunnel, tunnelGeneration)
            }
            ending = .halfOpen
            enter(.closing, now: now)
            return [.log("every forward of connection \(label) fails its public probe: the connection is half-open; reconnecting it"),
                    .terminateMaster(generation: generation)]

        case .forwardProbed(let tunnel, let passed):
            if established[tunnel] != nil { lastProbePassed[tunnel] = passed }
            return []

        case .membersStopped:
            guard wanted.isEmpty, requested.isEmpty, state == .connecting || state == .up else { return [] }
            ending = .unwanted
            enter(.closing, now: now)
            return [.log("no tunnel of connection \(label) runs: closing it"), .terminateMaster(generation: generation)]

        case .masterStarted(let masterGeneration, let masterPid):
            guard masterGeneration == generation, state == .connecting || state == .closing else { return [] }
            pid = masterPid
            return [.log("connection \(label): spawned ssh master (pid \(masterPid))")]
                + wanted.sorted { $0.key < $1.key }.map { .tunnel($0.key, .childStarted(generation: $0.value, pid: masterPid)) }

        case .masterOutput(let masterGeneration, let line):
            guard masterGeneration == generation else { return [] }
            return masterSaid(line, now: now)

        case .masterExited(let masterGeneration, let exit):
            guard masterGeneration == generation, state != .idle else { return [] }
            return masterEnded(exit, now: now)

        case .forwardRequestFinished(let tunnel, let tunnelGeneration, let exit, let lines):
            guard requested[tunnel] == tunnelGeneration else { return [] }
            requested[tunnel] = nil
            if cancelAfterRequest.remove(tunnel) != nil {
                guard exit == .exited(0), state == .up else { return [.tunnel(tunnel, .childExited(generation: tunnelGeneration, exit: .exited(0)))] }
                cancelling[tunnel] = tunnelGeneration
                return [.cancelForward(tunnel: tunnel, generation: tunnelGeneration)]
            }
            guard wanted[tunnel] == tunnelGeneration else { return [] }
            if exit == .exited(0) {
                established[tunnel] = tunnelGeneration
                return [.tunnel(tunnel, .forwardEstablished(generation: tunnelGeneration))]
            }
            wanted[tunnel] = nil
            return lines.map { .tunnel(tunnel, .childOutput(generation: tunnelGeneration, line: $0)) }
                + [.tunnel(tunnel, .childExited(generation: tunnelGeneration, exit: exit))]

        case .cancelFinished(let tunnel, let tunnelGeneration):
            guard cancelling[tunnel] == tunnelGeneration else { return [] }
            cancelling[tunnel] = nil
            return [.tunnel(tunnel, .childExited(generation: tunnelGeneration, exit: .exited(0)))]

        case .retryDue(let token):
            guard token == retryToken, retryScheduled else { return [] }
            retryScheduled = false
            guard state == .idle, !wanted.isEmpty else { return [] }
            return spawnMaster(now: now)
        }
    }

    // MARK: - Transitions

    private func attach(_ tunnel: String, _ tunnelGeneration: Int) -> ConnectionEffect? {
        pid.map { .tunnel(tunnel, .childStarted(generation: tunnelGeneration, pid: $0)) }
    }

    private mutating func request(_ tunnel: String, _ tunnelGeneration: Int) -> ConnectionEffect {
        requested[tunnel] = tunnelGeneration
        return .requestForward(tunnel: tunnel, generation: tunnelGeneration)
    }

    private mutating func release(_ tunnel: String, _ tunnelGeneration: Int) -> [ConnectionEffect] {
        let exited = ConnectionEffect.tunnel(tunnel, .childExited(generation: tunnelGeneration, exit: .exited(0)))
        guard wanted[tunnel] == tunnelGeneration else { return cancelling[tunnel] == tunnelGeneration ? [] : [exited] }
        wanted[tunnel] = nil
        lastProbePassed[tunnel] = nil
        if established.removeValue(forKey: tunnel) != nil {
            cancelling[tunnel] = tunnelGeneration
            return [.cancelForward(tunnel: tunnel, generation: tunnelGeneration)]
        }
        if requested[tunnel] == tunnelGeneration {
            cancelAfterRequest.insert(tunnel)
            return []
        }
        return [exited]
    }

    private mutating func startMasterIfDue(now: Duration) -> [ConnectionEffect] {
        guard let next = nextAttemptAt, now < next else { return spawnMaster(now: now) }
        guard !retryScheduled else { return [] }
        retryToken += 1
        retryScheduled = true
        return [.scheduleRetry(token: retryToken, at: next)]
    }

    private mutating func spawnMaster(now: Duration) -> [ConnectionEffect] {
        generation += 1
        masterStarts += 1
        pid = nil
        strongestCause = nil
        ending = nil
        becameUp = false
        established = [:]
        requested = [:]
        lastProbePassed = [:]
        enter(.connecting, now: now)
        return [.log("connection \(label): connecting to \(key) for \(wanted.count) forward(s)"), .spawnMaster(generation: generation)]
    }

    private mutating func masterSaid(_ line: String, now: Duration) -> [ConnectionEffect] {
        if state == .connecting, line.lowercased().contains("entering interactive session") {
            enter(.up, now: now)
            becameUp = true
            nextAttemptAt = nil
            var effects: [ConnectionEffect] = [.log("connection \(label): up (ssh pid \(pid.map(String.init) ?? "?")); requesting \(wanted.count) forward(s)")]
            for (tunnel, tunnelGeneration) in wanted.sorted(by: { $0.key < $1.key }) {
                effects.append(request(tunnel, tunnelGeneration))
            }
            return effects + [.wakeWaitingTunnels]
        }
        // A refused forward is that tunnel's business (its mux client reports it), not the connection's.
        guard let found = CauseClassifier.classify(line: line) else { return [] }
        switch found {
        case .remotePortInUse, .localServiceDown: return []
        default: break
        }
        if CauseClassifier.rank(found) > strongestCause.map(CauseClassifier.rank) ?? 0 {
            strongestCause = found
        }
        return []
    }

    private mutating func masterEnded(_ exit: ChildExit, now: Duration) -> [ConnectionEffect] {
        let endedBy = ending
        let cause: FailureCause? = endedBy == .halfOpen
            ? .publicProbeFailed("every forward of connection \(label) failed; the connection was half-open")
            : strongestCause
        pid = nil
        established = [:]
        requested = [:]
        cancelAfterRequest = []
        lastProbePassed = [:]
        enter(.idle, now: now)
        nextAttemptAt = becameUp ? nil : now + attemptGap
        var effects: [ConnectionEffect] = [
            .log("connection \(label): ssh master exited (\(exit))" + (cause.map { ": \($0)" } ?? "")),
        ]
        // Tunnels that asked for their forward while it was closing because nobody wanted it get a new master.
        if endedBy == .unwanted, !wanted.isEmpty {
            nextAttemptAt = nil
            return effects + spawnMaster(now: now)
        }
        for (tunnel, tunnelGeneration) in wanted.sorted(by: { $0.key < $1.key }) {
            effects.append(.tunnel(tunnel, .connectionEnded(generation: tunnelGeneration, exit: exit, cause: cause)))
        }
        wanted = [:]
        for (tunnel, tunnelGeneration) in cancelling.sorted(by: { $0.key < $1.key }) {
            effects.append(.tunnel(tunnel, .childExited(generation: tunnelGeneration, exit: .exited(0))))
        }
        cancelling = [:]
        return effects
    }

    private mutating func enter(_ newState: ConnectionState, now: Duration) {
        state = newState
        stateSince = now
    }
}
