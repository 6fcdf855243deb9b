import Synchronization
import Testing
import TunnelManager
import TunnelTestSupport

/// The test clock the manager's tests drive: time moves only on `advance`, and sleepers wake in order.
@Suite("test kit: test clock")
struct TestClockTests {
    @Test("a sleeper wakes only when time passes its deadline, and advance returns after it ran")
    func wakesAtDeadline() async throws {
        let clock = TestClock()
        let woke = Mutex(false)
        let sleeper = Task {
            try await clock.sleep(until: .seconds(5))
            woke.withLock { $0 = true }
        }
        #expect(await clock.waitForSleeper())
        await clock.advance(by: .seconds(4))
        #expect(!woke.withLock { $0 }, "not before its deadline")
        #expect(clock.now() == .seconds(4))
        await clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(woke.withLock { $0 })
    }

    @Test("sleepers wake in deadline order, and time ends where the advance asked")
    func wakesInOrder() async throws {
        let clock = TestClock()
        let order = Mutex<[String]>([])
        let tasks = [("third", 30), ("first", 10), ("second", 20)].map { name, seconds in
            Task { @Sendable in
                try await clock.sleep(until: .seconds(seconds))
                order.withLock { $0.append(name) }
            }
        }
        while clock.sleeperCount < 3 { #expect(await clock.waitForSleeper()); await Task.settle() }
        await clock.advance(to: .seconds(60))
        for task in tasks { try await task.value }
        #expect(order.withLock { $0 } == ["first", "second", "third"])
        #expect(clock.now() == .seconds(60))
    }

    @Test("a ticker that sleeps again after each tick ticks once per second of advanced time")
    func chainedSleeps() async throws {
        let clock = TestClock()
        let ticks = Mutex(0)
        let ticker = Task {
            while true {
                try await clock.sleep(until: clock.now() + .seconds(1))
                ticks.withLock { $0 += 1 }
            }
        }
        for _ in 0..<5 {
            #expect(await clock.waitForSleeper(), "the ticker sleeps again after each tick")
            await clock.advance(by: .seconds(1))
        }
        #expect(await clock.waitForSleeper())
        #expect(ticks.withLock { $0 } == 5)
        #expect(clock.now() == .seconds(5))
        ticker.cancel()
        await #expect(throws: CancellationError.self) { try await ticker.value }
    }

    @Test("a cancelled sleeper throws CancellationError at once and is no longer waiting")
    func cancellation() async throws {
        let clock = TestClock()
        let sleeper = Task { try await clock.sleep(until: .seconds(60)) }
        #expect(await clock.waitForSleeper())
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)
        #expect(clock.nextDeadline == nil)
    }

    @Test("a sleep cancelled before it starts throws, and a deadline already passed returns at once")
    func cancelledBeforeAndPastDeadline() async throws {
        let clock = TestClock()
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        await clock.advance(by: .seconds(2))
        try await clock.sleep(until: .seconds(1))
        #expect(clock.sleeperCount == 0)
    }

    @Test("waiting for a sleeper gives up after its real-time bound when nobody sleeps")
    func waitForSleeperTimesOut() async {
        let clock = TestClock()
        #expect(await clock.waitForSleeper(timeout: .milliseconds(50)) == false)
    }
}
