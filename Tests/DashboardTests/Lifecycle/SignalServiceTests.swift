import Logging
import Synchronization
import Testing
import TunnelManager
@testable import tunnel_tui

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's signals in its service group: SIGHUP reloads and keeps everything running, SIGTERM stops
/// every service, last first. Signals are fed into the inbox the main thread's sigwait fills.
@Suite("lifecycle: the daemon's signals", .serialized)
struct SignalServiceTests {
    @Test("SIGHUP reloads and keeps running; SIGTERM then stops the other services in reverse order")
    func hangupThenTerminate() async throws {
        let journal = Mutex<[String]>([])
        let (reloads, reloaded) = AsyncStream<Void>.makeStream()
        let (starts, started) = AsyncStream<Void>.makeStream()
        func service(_ name: String) -> StartStopService {
            StartStopService(name, start: {
                journal.withLock { $0.append("start \(name)") }
                started.yield()
            }, stop: { journal.withLock { $0.append("stop \(name)") } })
        }
        let signals = SignalService(reload: {
            journal.withLock { $0.append("reload") }
            reloaded.yield()
            return .failure("test")
        }, configPath: "test.toml", logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service("manager"), service("notifications"), signals], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        var startIterator = starts.makeAsyncIterator()
        _ = await startIterator.next()
        _ = await startIterator.next()
        TerminationSignals.inbox.continuation.yield(SIGHUP)
        var reloadIterator = reloads.makeAsyncIterator()
        _ = await reloadIterator.next()
        #expect(journal.withLock { $0 } == ["start manager", "start notifications", "reload"], "still running after SIGHUP")
        TerminationSignals.inbox.continuation.yield(SIGTERM)
        try await running.value
        #expect(journal.withLock { $0 } == ["start manager", "start notifications", "reload", "stop notifications", "stop manager"])
    }
}
