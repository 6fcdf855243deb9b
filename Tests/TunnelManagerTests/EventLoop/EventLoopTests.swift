import Foundation
import Synchronization
import Testing
@testable import TunnelManager

@Suite("event loop")
struct EventLoopTests {
    @Test("sleep returns at its deadline, not before")
    func sleepsUntilDeadline() async throws {
        let started = ContinuousClock.now
        try await EventLoop.shared.sleep(until: started + .milliseconds(200))
        let slept = ContinuousClock.now - started
        #expect(slept >= .milliseconds(200))
        #expect(slept < .seconds(5))
    }

    @Test("a cancelled sleep throws CancellationError at once, long before its deadline")
    func cancelledSleep() async {
        let started = ContinuousClock.now
        let sleeper = Task { try await EventLoop.shared.sleep(until: .now + .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(100))
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("timers run in deadline order, and a cancelled timer never runs")
    func timerOrderAndCancel() async throws {
        let ran = Mutex<[String]>([])
        let now = ContinuousClock.now
        EventLoop.shared.schedule(at: now + .milliseconds(150)) { ran.withLock { $0.append("second") } }
        EventLoop.shared.schedule(at: now + .milliseconds(50)) { ran.withLock { $0.append("first") } }
        let cancelled = EventLoop.shared.schedule(at: now + .milliseconds(100)) { ran.withLock { $0.append("cancelled") } }
        EventLoop.shared.cancel(cancelled)
        // A last timer: when it runs, every earlier deadline has passed and its timer has run (or not).
        await withCheckedContinuation { continuation in
            EventLoop.shared.schedule(at: now + .milliseconds(200)) { continuation.resume() }
        }
        #expect(ran.withLock { $0 } == ["first", "second"])
    }

    @Test("a watched pipe's handler runs when it becomes readable, and not after unwatch")
    func watchesDescriptors() async throws {
        let (readEnd, writeEnd) = try #require(EventLoop.makePipe())
        defer { close(readEnd); close(writeEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        let received = Mutex<[UInt8]>([])
        EventLoop.shared.watch(readEnd) {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 { received.withLock { $0.append(byte) } }
        }
        var byte: UInt8 = 7
        _ = write(writeEnd, &byte, 1)
        let deadline = ContinuousClock.now + .seconds(10)
        while received.withLock({ $0 }) != [7] && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(received.withLock { $0 } == [7])
        EventLoop.shared.unwatch(readEnd)
        byte = 8
        _ = write(writeEnd, &byte, 1)
        // One turn of the loop after the write: epoll reports a readable descriptor in the same wait as the
        // wake-up, and runs its handler before the timers of that turn.
        await EventLoop.shared.perform {}
        await EventLoop.shared.perform {}
        #expect(received.withLock { $0 } == [7])
    }
}
