import Logging
import Synchronization
import Testing
import TunnelTestSupport
@testable import TunnelManager

/// When the startup pages go: once, when startup has settled, and never for a group that stops before.
@Suite("memory: releasing startup's pages once settled")
struct StartupPageReleaseServiceTests {
    private static let record = PageRelease(residentBefore: 15 << 20, residentAfter: 4 << 20, mappings: 40, refused: 0)

    @Test("nothing before the settle time; one release at it; none after, however long it runs")
    func onceWhenSettled() async throws {
        let clock = TestClock()
        let releases = Mutex(0)
        let service = StartupPageReleaseService(clock: clock, settle: .seconds(20), logger: Logger(label: "test"), release: {
            releases.withLock { $0 += 1 }
            return Self.record
        })
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        #expect(await clock.waitForSleeper())
        await clock.advance(by: .seconds(19))
        #expect(releases.withLock { $0 } == 0, "startup has not settled yet")
        await clock.advance(by: .seconds(1))
        #expect(await Self.wait { releases.withLock { $0 } == 1 })
        await clock.advance(by: .seconds(3600))
        #expect(releases.withLock { $0 } == 1, "it releases once")
        group.triggerGracefulShutdown()
        try await running.value
        #expect(releases.withLock { $0 } == 1)
    }

    @Test("the warm-up (one status request through the protocol) runs just before the release, not after")
    func warmUpFirst() async throws {
        let clock = TestClock()
        let journal = Mutex<[String]>([])
        let service = StartupPageReleaseService(
            clock: clock, settle: .seconds(20), logger: Logger(label: "test"),
            warmUp: { journal.withLock { $0.append("warm up") } },
            release: {
                journal.withLock { $0.append("release") }
                return Self.record
            })
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        #expect(await clock.waitForSleeper())
        await clock.advance(by: .seconds(10))
        #expect(journal.withLock { $0 }.isEmpty, "nothing is warmed up before the settle time")
        await clock.advance(by: .seconds(10))
        #expect(await Self.wait { journal.withLock { $0 }.count == 2 })
        #expect(journal.withLock { $0 } == ["warm up", "release"])
        group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("a group stopped before the settle time ends the service without a release")
    func stoppedFirst() async throws {
        let clock = TestClock()
        let releases = Mutex(0)
        let service = StartupPageReleaseService(clock: clock, settle: .seconds(20), logger: Logger(label: "test"), release: {
            releases.withLock { $0 += 1 }
            return Self.record
        })
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        #expect(await clock.waitForSleeper())
        group.triggerGracefulShutdown()
        try await running.value
        await clock.advance(by: .seconds(60))
        #expect(releases.withLock { $0 } == 0)
    }

    /// Polls `condition` (a release runs on the woken task, after the advance returns) for up to 10 s.
    private static func wait(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
