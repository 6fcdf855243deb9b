import Synchronization

/// A value shared between tasks and callbacks behind a lock.
final class SharedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    /// The current value.
    var value: Value { storage.withLock { $0 } }

    /// Changes the value in place.
    func update(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}
