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
            if ContinuousClock.now >= deadline {
                let states = snapshot.map { "\($0.name): \($0.state) \($0.cause ?? "")" }.joined(separator: "; ")
                Issue.record("timed out after \(timeout) waiting for \(what); tunnels: \(states)", sourceLocation: sourceLocation)
                return nil
            }
            await wakeup.wait()
        }
    }

    /// Awaits change notes until tunnel `name` satisfies `condition`; returns its status then (with `logLimit`
    /// log lines), or records a test issue with its log and returns its last status after `timeout`.
    @discardableResult
    public func waitUntil(
        _ name: String, is what: String, timeout: Duration = .seconds(30), logLimit: Int = 200,
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable (TunnelStatus) -> Bool
    ) async -> TunnelStatus? {
        let met = await waitUntil("\(name) \(what)", timeout: timeout, logLimit: logLimit, sourceLocation: sourceLocation) { snapshot in
            snapshot.first { $0.name == name }.map(condition) ?? false
        }
        if let met { return met.first { $0.name == name } }
        let last = status(of: name, logLimit: logLimit)
        Issue.record("\(name): last state \(last.map { "\($0.state)" } ?? "unknown"), log:\n\(RigSupport.logText(last))",
                     sourceLocation: sourceLocation)
        return last
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
}

extension TunnelManager {
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
        let running = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pace)
                if Task.isCancelled { return }
                await clock.advance(by: step)
            }
        }
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
        let snapshot = await waitUntil("\(name) \(state)", advancing: clock, by: step, pace: pace, timeout: timeout,
                                       logLimit: logLimit, sourceLocation: sourceLocation) { snapshot in
            snapshot.first { $0.name == name }?.state == state
        }
        if let snapshot { return snapshot.first { $0.name == name } }
        let last = status(of: name, logLimit: logLimit)
        Issue.record("\(name): last state \(last.map { "\($0.state)" } ?? "unknown"), log:\n\(RigSupport.logText(last))",
                     sourceLocation: sourceLocation)
        return last
    }
}
