import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One thread that waits (epoll) for every descriptor and timer the supervisor needs while it is idle:
/// children's output pipes and the timers of probes, retries and server checks.
///
/// Measured on the idle daemon, each thread wake-up costs about 50 µs; with a Swift `Task.sleep` (a
/// dispatch timer: the dispatch manager thread wakes to arm it, to fire it and a worker to run it) and a
/// task per output pipe, one probe cycle woke threads about twenty times. Timers and pipes here cost one
/// wake-up of this thread each, and a worker only when there is work for the actor.
final class EventLoop: Sendable {
    /// The loop everything shares; its thread starts on first use.
    static let shared = EventLoop()

    /// Identifies a scheduled timer, for ``cancel(_:)``.
    struct TimerID: Hashable, Sendable {
        fileprivate let value: Int
    }

    private struct State {
        var watchers: [Int32: @Sendable () -> Void] = [:]
        var timers = TimerQueue<ContinuousClock.Instant, @Sendable () -> Void>()
        /// When the thread will wake by itself at the latest (nil: not before something wakes it).
        var wakesAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let epoll: Epoll
    private let wakePipe = WakePipe()

    private init() {
        guard let epoll = Epoll() else { fatalError("epoll is not available: tunnel-tui needs Linux") }
        self.epoll = epoll
        epoll.add(wakePipe.readDescriptor)
        DetachedThread.start(stackSize: 512 * 1024) { [self] in run() }
    }

    /// A pipe whose ends are closed on exec (and children spawned by ``SpawnLauncher`` get no descriptor
    /// but 0, 1 and 2 anyway), so a child spawned meanwhile cannot keep an end open.
    static func makePipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    // MARK: - Descriptors

    /// Calls `handler` on the loop's thread each time `descriptor` is readable (or writable, if asked; or
    /// hung up, or in error) until ``unwatch(_:)``. The handler must not block. False if the descriptor
    /// cannot be watched.
    @discardableResult
    func watch(_ descriptor: Int32, for interest: Epoll.Interest = .readable, handler: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { $0.watchers[descriptor] = handler }
        if epoll.add(descriptor, for: interest) { return true }
        state.withLock { _ = $0.watchers.removeValue(forKey: descriptor) }
        return false
    }

    /// Stops watching `descriptor`; call it before closing the descriptor.
    func unwatch(_ descriptor: Int32) {
        state.withLock { _ = $0.watchers.removeValue(forKey: descriptor) }
        epoll.remove(descriptor)
    }

    // MARK: - Timers

    /// Runs `action` on the loop's thread at `deadline` (at once if it has passed). It must not block.
    @discardableResult
    func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> TimerID {
        let (id, sooner) = state.withLock { state -> (Int, Bool) in
            let id = state.timers.insert(action, at: deadline)
            return (id, state.wakesAt.map { deadline < $0 } ?? true)
        }
        if sooner { wakePipe.wake() }
        return TimerID(value: id)
    }

    /// Forgets a timer that has not run yet.
    func cancel(_ timer: TimerID) {
        state.withLock { _ = $0.timers.cancel(timer.value) }
    }

    /// Runs `body` on the loop's thread as soon as it is free and returns its result.
    func perform<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            schedule(at: .now) { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on the loop's thread as soon as it is free, without waiting for it.
    func perform(_ body: @escaping @Sendable () -> Void) {
        schedule(at: .now, body)
    }

    /// Suspends until `deadline`; throws `CancellationError` at once if the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let sleeper = Sleeper()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard sleeper.start(continuation) else { return }
                let timer = schedule(at: deadline) { sleeper.finish(nil) }
                sleeper.remember(timer)
            }
        } onCancel: {
            if let timer = sleeper.finish(CancellationError()) { cancel(timer) }
        }
    }

    /// One sleep's continuation and timer, resumed exactly once by whichever of the timer and the task's
    /// cancellation comes first.
    private final class Sleeper: Sendable {
        private struct Parts {
            var continuation: CheckedContinuation<Void, any Error>?
            var timer: TimerID?
            var cancelled = false
        }
        private let parts = Mutex(Parts())

        /// Keeps the continuation; false (and resumed) when the task was cancelled already.
        func start(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
            let cancelled = parts.withLock { parts -> Bool in
                if !parts.cancelled { parts.continuation = continuation }
                return parts.cancelled
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
            return !cancelled
        }

        func remember(_ timer: TimerID) {
            parts.withLock { $0.timer = timer }
        }

        /// Resumes the sleeper (with `error`, if given); returns the timer to cancel.
        @discardableResult
        func finish(_ error: (any Error)?) -> TimerID? {
            let (continuation, timer) = parts.withLock { parts in
                if error != nil { parts.cancelled = true }
                defer { parts.continuation = nil }
                return (parts.continuation, parts.timer)
            }
            if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
            return timer
        }
    }

    // MARK: - The thread

    private func run() {
        let events = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * Epoll.eventSize, alignment: 8)
        while true {
            let timeout = state.withLock { state -> Int32 in
                let earliest = state.timers.earliestDeadline()
                state.wakesAt = earliest
                guard let earliest else { return -1 }
                let left = earliest - .now
                // Rounded up: waking a little late fires the timer; waking early only loops again.
                return left <= .zero ? 0 : Int32(min(left.milliseconds + 1, 60_000))
            }
            for descriptor in epoll.wait(events: events, timeout: timeout) {
                if descriptor == wakePipe.readDescriptor {
                    wakePipe.drain()
                } else {
                    let handler = state.withLock { $0.watchers[descriptor] }
                    handler?()
                }
            }
            let now = ContinuousClock.now
            let due = state.withLock { $0.timers.popDue(at: now) }
            for action in due { action() }
        }
    }
}
