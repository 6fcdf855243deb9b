import FoundationEssentials

/// Hands change notes to every subscriber without ever waiting for one: a reader that falls behind loses
/// notes (it re-reads the snapshot on the next), never the manager's time.
struct ChangeBroadcaster {
    private var subscribers: [UUID: AsyncStream<TunnelChange>.Continuation] = [:]

    /// A new subscription: its id (to end it) and its stream.
    mutating func subscribe() -> (UUID, AsyncStream<TunnelChange>) {
        let (stream, continuation) = AsyncStream<TunnelChange>.makeStream(bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        subscribers[id] = continuation
        return (id, stream)
    }

    /// The continuation of subscription `id`, to hook its termination.
    func continuation(of id: UUID) -> AsyncStream<TunnelChange>.Continuation? {
        subscribers[id]
    }

    /// Forgets subscription `id`.
    mutating func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    /// Tells every subscriber that `name` changed.
    func notify(_ name: String, _ kind: TunnelChange.Kind) {
        for continuation in subscribers.values {
            continuation.yield(TunnelChange(name: name, kind: kind))
        }
    }

    /// Ends every stream.
    mutating func finish() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }
}
