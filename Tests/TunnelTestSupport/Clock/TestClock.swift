import Synchronization
import TunnelManager

/// A ``SupervisorClock`` that moves only when a test advances it, after pointfreeco/swift-clocks' `TestClock`.
///
/// ``advance(by:)`` resumes every sleeper whose deadline it passes, earliest first; after each it waits until
/// that task runs again (back from ``sleep(until:)``) and then yields (``Task/settle(_:)``) so the work it
/// started goes on before the next wakes. Yielding is best effort on a busy machine: a test that reads what
/// the woken work did awaits its sign (``waitForSleeper(timeout:)`` for its next sleep, or the manager's change
/// notes) rather than trusting the yields. A test that shows something did *not* happen advances the clock
/// past the moment it would have.
public final class TestClock: SupervisorClock {
    private struct Sleeper {
        let id: Int
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Duration.zero
        var sleepers: [Sleeper] = []
        var nextID = 0
        /// Sleeps cancelled before their continuation was stored (resumed with an error as soon as it is).
        var cancelledEarly: Set<Int> = []
        /// Tests waiting for a sleeper to appear (``waitForSleeper(timeout:)``).
        var sleeperWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Woken sleepers whose task has not yet returned from ``sleep(until:)``, with ``advance(to:)`` waiting.
        var returnWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Woken sleepers whose task returned before ``advance(to:)`` began to wait for it.
        var returned: Set<Int> = []
        /// Sleepers an advance resumed whose task has not returned yet.
        var woken: Set<Int> = []
    }

    private let state = Mutex(State())

    /// A clock at zero with nobody asleep.
    public init() {}

    /// The clock's current time.
    public func now() -> Duration { state.withLock { $0.now } }

    /// The earliest deadline anyone sleeps until, or nil when nobody sleeps.
    public var nextDeadline: Duration? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// How many tasks sleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until the clock reaches `deadline` (returns at once if it has); throws `CancellationError`
    /// when the task is cancelled.
    public func sleep(until deadline: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case resume, cancelled, sleep([CheckedContinuation<Void, Never>]) }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelledEarly.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .resume }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    defer { state.sleeperWaiters = [:] }
                    return .sleep(Array(state.sleeperWaiters.values))
                }
                switch outcome {
                case .resume: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .sleep(let waiters): for waiter in waiters { waiter.resume() }
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelledEarly.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        // Tell an advance that woke this sleeper that its task runs again.
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.woken.remove(id) != nil else { return nil }
            guard let waiter = state.returnWaiters.removeValue(forKey: id) else {
                state.returned.insert(id)
                return nil
            }
            return waiter
        }?.resume()
    }

    /// Moves time forward by `duration`, waking each sleeper it passes in deadline order (see ``advance(to:)``).
    public func advance(by duration: Duration) async {
        await advance(to: now() + duration)
    }

    /// Moves time to `instant` (never backwards): resumes the sleepers whose deadline has come one at a time,
    /// earliest first, with time set to each one's deadline, and lets the work each wakes run before the next.
    public func advance(to instant: Duration) async {
        await Task.settle()
        while true {
            let next = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.indices.min(by: { state.sleepers[$0].deadline < state.sleepers[$1].deadline }),
                      state.sleepers[index].deadline <= instant
                else {
                    state.now = max(state.now, instant)
                    return nil
                }
                let sleeper = state.sleepers.remove(at: index)
                state.now = max(state.now, sleeper.deadline)
                state.woken.insert(sleeper.id)
                return sleeper
            }
            guard let next else { break }
            next.continuation.resume()
            await waitUntilReturned(next.id)
            await Task.settle()
        }
        await Task.settle()
    }

    /// Returns once the task of woken sleeper `id` is running again (back from ``sleep(until:)``), or after a
    /// second of real time, for a task that waits for something else first.
    private func waitUntilReturned(_ id: Int) async {
        let timer = Task {
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                return
            }
            state.withLock { $0.returnWaiters.removeValue(forKey: id) }?.resume()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let returned = state.withLock { state -> Bool in
                if state.returned.remove(id) != nil || !state.woken.contains(id) { return true }
                state.returnWaiters[id] = continuation
                return false
            }
            if returned { continuation.resume() }
        }
    }

    /// Returns once at least one task sleeps on this clock, or after `timeout` of real time (then false).
    ///
    /// Work woken by an advance reaches its next sleep through actors and the cooperative pool; this awaits
    /// that moment instead of polling for it.
    public func waitForSleeper(timeout: Duration = .seconds(10)) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return
            }
            state.withLock { $0.sleeperWaiters.removeValue(forKey: id) }?.resume()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let asleep = state.withLock { state -> Bool in
                if !state.sleepers.isEmpty { return true }
                state.sleeperWaiters[id] = continuation
                return false
            }
            if asleep { continuation.resume() }
        }
        return sleeperCount > 0
    }
}

extension Task where Success == Never, Failure == Never {
    /// Yields many times through detached tasks, so that work just made ready (resumed continuations, actor
    /// hops) runs before the caller goes on; as swift-concurrency-extras' `megaYield`.
    public static func settle(_ count: Int = 20) async {
        for _ in 0..<count {
            await Task<Void, Never>.detached(priority: .background) { await Task.yield() }.value
        }
    }
}
