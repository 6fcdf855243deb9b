import FoundationEssentials

/// Hands change notes to every subscriber without ever waiting for one: a reader that falls behind loses
/// notes (it re-reads the snapshot on the next), never the manager's time.
struct ChangeBroadcaster {
    private var subscribers: [UUID: (kinds: Set<TunnelChange.Kind>, continuation: AsyncStream<TunnelChange>.Continuation)] = [:]

    /// A new subscription to the notes of `kinds`, keeping the newest `keeping` a slow reader has not read:
    /// its id (to end it) and its stream. A reader of status changes alone is not woken by every log line.
    mutating func subscribe(kinds: Set<TunnelChange.Kind>, keeping: Int) -> (UUID, AsyncStream<TunnelChange>) {
        let (stream, continuation) = AsyncStream<TunnelChange>.makeStream(bufferingPolicy: .bufferingNewest(keeping))
        let id = UUID()
        subscribers[id] = (kinds, continuation)
        return (id, stream)
    }

    /// The continuation of subscription `id`, to hook its termination.
    func continuation(of id: UUID) -> AsyncStream<TunnelChange>.Continuation? {
        subscribers[id]?.continuation
    }

    /// Forgets subscription `id`.
    mutating func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    /// Tells every subscriber that `name` changed.
    func notify(_ name: String, _ kind: TunnelChange.Kind) {
        for subscriber in subscribers.values where subscriber.kinds.contains(kind) {
            subscriber.continuation.yield(TunnelChange(name: name, kind: kind))
        }
    }

    /// Ends every stream.
    mutating func finish() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
