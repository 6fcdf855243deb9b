/// A bounded log: the newest `capacity` lines, oldest first; older ones are dropped.
public struct TunnelLog: Sendable {
    private var storage: [LogEntry] = []
    private var head = 0
    /// How many lines are kept.
    public let capacity: Int
    /// Lines appended since creation, kept ones or not.
    public private(set) var totalAppended = 0

    /// Creates an empty log.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 64))
    }

    /// Appends a line, dropping the oldest when full.
    public mutating func append(_ entry: LogEntry) {
        totalAppended += 1
        if storage.count < capacity {
            storage.append(entry)
        } else {
            storage[head] = entry
            head = (head + 1) % capacity
        }
    }

    /// The kept lines, oldest first; at most the newest `limit` when given.
    public func entries(limit: Int? = nil) -> [LogEntry] {
        let ordered = Array(storage[head...] + storage[..<head])
        guard let limit, limit < ordered.count else { return ordered }
        return Array(ordered.suffix(limit))
    }

    /// Number of lines kept.
    public var count: Int { storage.count }
}
