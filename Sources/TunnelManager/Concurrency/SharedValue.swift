import Synchronization

/// A value shared between tasks, threads and callbacks behind a lock.
public final class SharedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    /// Creates the box with a first value.
    public init(_ value: Value) {
        storage = Mutex(value)
    }

    /// The current value.
    public var value: Value { storage.withLock { $0 } }

    /// Changes the value in place.
    public func update(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}
