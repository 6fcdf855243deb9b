/// What a socket client has yet to receive, written without blocking: replies in order, then the newest
/// snapshot. A line that has started going out is always finished before anything else, so a client never
/// sees half a line; while a client is slow, a newer snapshot replaces the queued one that has not started.
struct OutgoingLines: Sendable {
    private var current: [UInt8] = []
    private var offset = 0
    private var replies: [[UInt8]] = []
    private var snapshot: [UInt8]?

    /// Nothing left to write.
    var isEmpty: Bool { offset == current.count && replies.isEmpty && snapshot == nil }

    /// Bytes waiting, for limits and tests.
    var count: Int { current.count - offset + replies.reduce(0) { $0 + $1.count } + (snapshot?.count ?? 0) }

    /// Queues a line that must arrive (a reply); replies keep their order.
    mutating func append(_ line: [UInt8]) {
        replies.append(line)
    }

    /// Queues the newest snapshot, replacing one that has not started going out.
    mutating func replaceLatest(_ line: [UInt8]) {
        snapshot = line
    }

    /// The bytes to write next (the rest of the line in progress, or the start of the next one); empty when done.
    mutating func next() -> ArraySlice<UInt8> {
        if offset == current.count {
            if !replies.isEmpty {
                current = replies.removeFirst()
            } else if let snapshot {
                current = snapshot
                self.snapshot = nil
            } else {
                current = []
            }
            offset = 0
        }
        return current[offset...]
    }

    /// Records that `written` bytes of ``next()`` went out.
    mutating func consume(_ written: Int) {
        offset = min(current.count, offset + written)
    }
}
