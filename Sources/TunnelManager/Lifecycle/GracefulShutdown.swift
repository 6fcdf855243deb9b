import Synchronization

/// The request to stop that a ``ServiceGroup`` sends each of its services, one at a time in reverse order.
///
/// The group hands every service its own instance through a task-local, so a service's `run()` (and every
/// task it starts) reads it with ``wait()`` and needs no parameter for it.
public final class GracefulShutdown: Sendable {
    /// The shutdown request of the service whose task this is; nil outside a group.
    @TaskLocal static var current: GracefulShutdown?

    private struct State {
        var requested = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Creates a request that has not been made yet.
    public init() {}

    /// Whether the stop was requested.
    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Asks the service to stop; every ``wait()`` returns.
    public func request() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.requested = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once this service is asked to stop, or its task is cancelled; at once outside a group.
    public static func wait() async {
        guard let current else { return }
        await current.wait()
    }

    /// The result of `operation`, or nil when this service is asked to stop (or its task is cancelled)
    /// first; then `operation`'s task is cancelled.
    public static func unlessStopped<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value?) async -> Value? {
        await withTaskGroup(of: Value?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                await wait()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Returns once ``request()`` was called, or the calling task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.requested || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
