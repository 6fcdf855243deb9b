import Testing
@testable import TunnelManager

/// The event loop's timer heap: deadline order, ties in insertion order, cancellation by id.
@Suite("event loop: timer queue")
struct TimerQueueTests {
    @Test("timers come out in deadline order, ties in the order they were added, only once due")
    func order() {
        var queue = TimerQueue<Int, String>()
        for (name, deadline) in [("e", 50), ("a", 10), ("c", 30), ("b1", 20), ("d", 40), ("b2", 20)] {
            _ = queue.insert(name, at: deadline)
        }
        let earliest = queue.earliestDeadline()
        #expect(earliest == 10)
        let early = queue.popDue(at: 5)
        #expect(early.isEmpty)
        let first = queue.popDue(at: 20)
        #expect(first == ["a", "b1", "b2"])
        let next = queue.earliestDeadline()
        #expect(next == 30)
        let rest = queue.popDue(at: 100)
        #expect(rest == ["c", "d", "e"])
        let none = queue.earliestDeadline()
        #expect(none == nil)
        #expect(queue.count == 0)
    }

    @Test("a cancelled timer never comes out, and the earliest deadline skips it")
    func cancellation() {
        var queue = TimerQueue<Int, String>()
        let first = queue.insert("first", at: 1)
        _ = queue.insert("second", at: 2)
        let third = queue.insert("third", at: 3)
        let cancelled = queue.cancel(first)
        let cancelledTwice = queue.cancel(first)
        #expect(cancelled && !cancelledTwice)
        let earliest = queue.earliestDeadline()
        #expect(earliest == 2, "the cancelled first is skipped")
        queue.cancel(third)
        #expect(queue.count == 1)
        let due = queue.popDue(at: 10)
        #expect(due == ["second"])
        let afterRun = queue.cancel(third)
        #expect(!afterRun)
    }

    @Test("thousands of timers added and cancelled at random come out sorted, each live one once")
    func randomised() {
        var queue = TimerQueue<Int, Int>()
        var live: [Int: Int] = [:]
        var ids: [Int] = []
        for _ in 0..<3000 {
            let deadline = Int.random(in: 0..<500)
            let id = queue.insert(deadline, at: deadline)
            live[id] = deadline
            ids.append(id)
            if Bool.random(), let victim = ids.randomElement(), live[victim] != nil {
                let cancelled = queue.cancel(victim)
                #expect(cancelled)
                live[victim] = nil
            }
        }
        #expect(queue.count == live.count)
        var taken: [Int] = []
        for now in stride(from: 0, through: 504, by: 7) {
            let due = queue.popDue(at: now)
            #expect(due.allSatisfy { $0 <= now }, "only due timers")
            taken += due
        }
        #expect(taken == live.values.sorted(), "every live timer once, in deadline order")
        let none = queue.earliestDeadline()
        #expect(none == nil)
    }
}
