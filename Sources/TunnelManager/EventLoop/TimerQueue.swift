/// The event loop's timers: a binary min-heap by deadline (ties in the order they were added), with
/// cancellation by id.
///
/// A cancelled timer's heap entry stays until it reaches the top or the heap is compacted (when most
/// entries are cancelled ones), so adding, cancelling and taking the earliest all cost O(log n) or less;
/// the loop reads the earliest deadline once per wake-up instead of scanning every timer twice.
struct TimerQueue<Deadline: Comparable, Action> {
    private struct Entry {
        let deadline: Deadline
        let id: Int

        func precedes(_ other: Entry) -> Bool {
            deadline < other.deadline || (deadline == other.deadline && id < other.id)
        }
    }

    private var heap: [Entry] = []
    private var actions: [Int: Action] = [:]
    private var lastID = 0

    /// How many timers are scheduled and not cancelled.
    var count: Int { actions.count }

    /// Schedules `action` for `deadline`; returns the id that cancels it.
    mutating func insert(_ action: Action, at deadline: Deadline) -> Int {
        lastID += 1
        actions[lastID] = action
        heap.append(Entry(deadline: deadline, id: lastID))
        siftUp(heap.count - 1)
        return lastID
    }

    /// Forgets timer `id`; false if it already ran or was cancelled.
    @discardableResult
    mutating func cancel(_ id: Int) -> Bool {
        guard actions.removeValue(forKey: id) != nil else { return false }
        if heap.count > 64 && heap.count > 2 * actions.count { compact() }
        return true
    }

    /// The earliest deadline of a scheduled timer, or nil when there is none.
    mutating func earliestDeadline() -> Deadline? {
        dropCancelledTop()
        return heap.first?.deadline
    }

    /// Removes and returns the actions of every timer due at `now` (deadline not after it), earliest first.
    mutating func popDue(at now: Deadline) -> [Action] {
        var due: [Action] = []
        while true {
            dropCancelledTop()
            guard let top = heap.first, top.deadline <= now else { return due }
            removeTop()
            if let action = actions.removeValue(forKey: top.id) { due.append(action) }
        }
    }

    private mutating func dropCancelledTop() {
        while let top = heap.first, actions[top.id] == nil { removeTop() }
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    /// Rebuilds the heap from the live entries only.
    private mutating func compact() {
        heap.removeAll { actions[$0.id] == nil }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < heap.count && heap[left].precedes(heap[first]) { first = left }
            if right < heap.count && heap[right].precedes(heap[first]) { first = right }
            if first == parent { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
