import Testing
import TunnelManager

extension TunnelManager {
    /// Awaits the manager's change notes until `condition` holds for a snapshot (with `logLimit` log lines per
    /// tunnel) and returns that snapshot; after `timeout` it records a test issue saying what was awaited and
    /// returns nil.
    ///
    /// It re-reads the snapshot on every change note, and at the latest every `recheck`, for what changes
    /// without a note (remaining backoff, seconds a port has been held). The timeout is real time: it bounds
    /// real processes (ssh, sshd); with a ``TestClock`` nothing here advances the clock.
    @discardableResult
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(30), logLimit: Int = 0, recheck: Duration = .milliseconds(250),
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable ([TunnelStatus]) -> Bool
    ) async -> [TunnelStatus]? {
        if let met = await snapshot(meeting: condition, timeout: timeout, logLimit: logLimit, recheck: recheck) { return met }
        let states = snapshot().map { "\($0.name): \($0.state) \($0.cause ?? "")" }.joined(separator: "; ")
        Issue.record("timed out after \(timeout) waiting for \(what); tunnels: \(states)", sourceLocation: sourceLocation)
        return nil
    }

    /// Awaits change notes until tunnel `name` satisfies `condition`; returns its status then (with `logLimit`
    /// log lines), or records a test issue with its log and returns its last status after `timeout`.
    @discardableResult
    public func waitUntil(
        _ name: String, is what: String, timeout: Duration = .seconds(30), logLimit: Int = 200,
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable (TunnelStatus) -> Bool
    ) async -> TunnelStatus? {
        let met = await snapshot(meeting: { $0.first { $0.name == name }.map(condition) ?? false }, timeout: timeout, logLimit: logLimit)
        if let met { return met.first { $0.name == name } }
        return recordTimeout(name, what, timeout: timeout, logLimit: logLimit, sourceLocation: sourceLocation)
    }

    /// Awaits change notes until tunnel `name` is in `state`; returns its status then, or records a test issue
    /// with its log and returns its last status after `timeout`.
    @discardableResult
    public func waitUntil(
        _ name: String, isIn state: TunnelState, timeout: Duration = .seconds(30), logLimit: Int = 200,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> TunnelStatus? {
        await waitUntil(name, is: "\(state)", timeout: timeout, logLimit: logLimit, sourceLocation: sourceLocation) { $0.state == state }
    }

    /// As ``waitUntil(_:timeout:logLimit:recheck:sourceLocation:_:)`` for a manager on a ``TestClock``, while
    /// the clock runs: every `pace` of real time it advances by `step`. For reaching a state through real
    /// processes (ssh, sshd) whose path may pass a timer (a probe retried, a backoff); a test that shows
    /// something did not happen advances the clock itself instead.
    @discardableResult
    public func waitUntil(
        _ what: String, advancing clock: TestClock, by step: Duration, pace: Duration = .milliseconds(50),
        timeout: Duration = .seconds(30), logLimit: Int = 0, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: @Sendable ([TunnelStatus]) -> Bool
    ) async -> [TunnelStatus]? {
        let running = Self.run(clock, by: step, every: pace)
        let snapshot = await waitUntil(what, timeout: timeout, logLimit: logLimit, sourceLocation: sourceLocation, condition)
        running.cancel()
        await running.value
        return snapshot
    }

    /// As ``waitUntil(_:isIn:timeout:logLimit:sourceLocation:)`` while `clock` runs (see
    /// ``waitUntil(_:advancing:by:pace:timeout:logLimit:sourceLocation:_:)``).
    @discardableResult
    public func waitUntil(
        _ name: String, isIn state: TunnelState, advancing clock: TestClock, by step: Duration, pace: Duration = .milliseconds(50),
        timeout: Duration = .seconds(30), logLimit: Int = 200, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> TunnelStatus? {
        let running = Self.run(clock, by: step, every: pace)
        let status = await waitUntil(name, isIn: state, timeout: timeout, logLimit: logLimit, sourceLocation: sourceLocation)
        running.cancel()
        await running.value
        return status
    }

    // MARK: - The loop underneath

    /// The first snapshot meeting `condition`, read at each change note and every `recheck`; nil after `timeout`.
    private func snapshot(
        meeting condition: @Sendable ([TunnelStatus]) -> Bool, timeout: Duration, logLimit: Int,
        recheck: Duration = .milliseconds(250)
    ) async -> [TunnelStatus]? {
        let wakeup = Wakeup()
        let notes = changes()
        let listener = Task {
            for await _ in notes { wakeup.ring() }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: recheck)
                wakeup.ring()
            }
        }
        defer {
            listener.cancel()
            ticker.cancel()
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshot = snapshot(logLimit: logLimit)
            if condition(snapshot) { return snapshot }
            if ContinuousClock.now >= deadline { return nil }
            await wakeup.wait()
        }
    }

    /// Records one issue for a tunnel that never became `what`, with its last state and log; returns its status.
    private func recordTimeout(_ name: String, _ what: String, timeout: Duration, logLimit: Int, sourceLocation: SourceLocation) -> TunnelStatus? {
        let last = status(of: name, logLimit: logLimit)
        let state = last.map { "\($0.state)" } ?? "unknown"
        Issue.record("timed out after \(timeout) waiting for \(name) \(what); last state \(state), log:\n\(RigSupport.logText(last))",
                     sourceLocation: sourceLocation)
        return last
    }

    /// A task advancing `clock` by `step` every `pace` of real time until cancelled.
    private static func run(_ clock: TestClock, by step: Duration, every pace: Duration) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pace)
                if Task.isCancelled { return }
                await clock.advance(by: step)
            }
        }
    }
}
