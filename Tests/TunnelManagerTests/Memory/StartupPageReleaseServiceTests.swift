import Logging
import Testing
import TunnelTestSupport
@testable import TunnelManager

/// When the startup pages go: once, when startup has settled, after the warm-up, and never for a group that
/// stops before.
@Suite("memory: releasing startup's pages once settled")
struct StartupPageReleaseServiceTests {
    @Test("nothing before the settle time; one release at it; none after, however long it runs")
    func onceWhenSettled() async throws {
        let clock = TestClock()
        let journal = SharedValue<[String]>([])
        let (group, running) = Self.start(on: clock, journal: journal)
        #expect(await clock.waitForSleeper())
        await clock.advance(by: .seconds(19))
        #expect(journal.value.isEmpty, "startup has not settled yet")
        await clock.advance(by: .seconds(1))
        #expect(await Self.wait { journal.value.count == 2 })
        #expect(journal.value == ["warm up", "release"], "the warm-up runs just before the release")
        await clock.advance(by: .seconds(3600))
        #expect(journal.value == ["warm up", "release"], "it releases once")
        group.triggerGracefulShutdown()
        try await running.value
        #expect(journal.value == ["warm up", "release"])
    }

    @Test("a group stopped before the settle time ends the service without a warm-up or a release")
    func stoppedFirst() async throws {
        let clock = TestClock()
        let journal = SharedValue<[String]>([])
        let (group, running) = Self.start(on: clock, journal: journal)
        #expect(await clock.waitForSleeper())
        group.triggerGracefulShutdown()
        try await running.value
        await clock.advance(by: .seconds(60))
        #expect(journal.value.isEmpty)
    }

    /// A group running only the service, settling after 20 s on `clock`; its warm-up and its releases are
    /// recorded in `journal`.
    private static func start(on clock: TestClock, journal: SharedValue<[String]>) -> (ServiceGroup, Task<Void, any Error>) {
        let service = StartupPageReleaseService(
            clock: clock, settle: .seconds(20), logger: Logger(label: "test"),
            warmUp: { journal.update { $0.append("warm up") } },
            release: {
                journal.update { $0.append("release") }
                return PageRelease(residentBefore: 15 << 20, residentAfter: 4 << 20, mappings: 40, refused: 0)
            })
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        return (group, Task { try await group.run() })
    }

    /// Polls `condition` (the release runs on the woken task, after the advance returns) for up to 10 s.
    private static func wait(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
