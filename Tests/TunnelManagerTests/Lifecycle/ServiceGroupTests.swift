import Logging
import Synchronization
import Testing
@testable import TunnelManager

/// The service group: start in order, stop in reverse order, whatever ends the run. No sleeps: the tests
/// step through the group's events as they are recorded.
@Suite("lifecycle: service group")
struct ServiceGroupTests {
    /// What the fake services did, in order, also as a stream a test can wait on.
    final class Journal: Sendable {
        private let entries = Mutex<[String]>([])
        let stream: AsyncStream<String>
        private let continuation: AsyncStream<String>.Continuation

        init() {
            (stream, continuation) = AsyncStream<String>.makeStream()
        }

        func record(_ entry: String) {
            entries.withLock { $0.append(entry) }
            continuation.yield(entry)
        }

        var all: [String] { entries.withLock { $0 } }

        /// Returns once every one of `entries` was recorded.
        func waitFor(_ entries: String...) async {
            var missing = Set(entries)
            for await recorded in stream {
                missing.remove(recorded)
                if missing.isEmpty { return }
            }
        }
    }

    struct Failure: Error, Equatable {
        let name: String
    }

    /// A fake: records its start, its run and its stop; can fail to start, fail while running, or end at once.
    struct FakeService: Service {
        enum Behaviour { case runsUntilStopped, failsToStart, failsWhileRunning, endsAtOnce }
        let name: String
        let journal: Journal
        var behaviour = Behaviour.runsUntilStopped

        func start() async throws {
            if behaviour == .failsToStart { throw Failure(name: name) }
            journal.record("start \(name)")
        }

        func run() async throws {
            journal.record("run \(name)")
            switch behaviour {
            case .failsWhileRunning: throw Failure(name: name)
            case .endsAtOnce: journal.record("end \(name)")
            case .runsUntilStopped, .failsToStart:
                await GracefulShutdown.wait()
                journal.record("stop \(name)")
            }
        }
    }

    private static func startsAndStops(_ journal: Journal) -> [String] {
        journal.all.filter { !$0.hasPrefix("run ") }
    }

    @Test("services start in order and stop in reverse order on a signal-like trigger")
    func orderOnTrigger() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: ["a", "b", "c"].map { FakeService(name: $0, journal: journal) }, logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        await journal.waitFor("run c")
        group.triggerGracefulShutdown()
        try await running.value
        #expect(Self.startsAndStops(journal) == ["start a", "start b", "start c", "stop c", "stop b", "stop a"])
    }

    @Test("a trigger that comes before the run still starts every service, then stops them last first")
    func triggerBeforeRun() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: ["a", "b"].map { FakeService(name: $0, journal: journal) }, logger: Logger(label: "test"))
        group.triggerGracefulShutdown()
        try await group.run()
        #expect(Self.startsAndStops(journal) == ["start a", "start b", "stop b", "stop a"])
    }

    @Test("a service that fails while running stops the others in reverse order, and run rethrows its error")
    func failureStopsTheOthers() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: [
            FakeService(name: "a", journal: journal), FakeService(name: "b", journal: journal, behaviour: .failsWhileRunning),
            FakeService(name: "c", journal: journal),
        ], logger: Logger(label: "test"))
        await #expect(throws: Failure(name: "b")) { try await group.run() }
        #expect(Self.startsAndStops(journal) == ["start a", "start b", "start c", "stop c", "stop a"])
    }

    @Test("a service that fails to start stops the ones started before it, and the rest never start")
    func startFailure() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: [
            FakeService(name: "a", journal: journal), FakeService(name: "b", journal: journal),
            FakeService(name: "c", journal: journal, behaviour: .failsToStart), FakeService(name: "d", journal: journal),
        ], logger: Logger(label: "test"))
        await #expect(throws: Failure(name: "c")) { try await group.run() }
        #expect(Self.startsAndStops(journal) == ["start a", "start b", "stop b", "stop a"])
    }

    @Test("a service that ends on its own (the screen after q) stops the others, last first, and run returns")
    func serviceThatEnds() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: [
            FakeService(name: "a", journal: journal), FakeService(name: "b", journal: journal),
            FakeService(name: "screen", journal: journal, behaviour: .endsAtOnce),
        ], logger: Logger(label: "test"))
        try await group.run()
        #expect(Self.startsAndStops(journal) == ["start a", "start b", "start screen", "end screen", "stop b", "stop a"])
    }

    @Test("cancelling the group's task ends every service")
    func cancellation() async throws {
        let journal = Journal()
        let group = ServiceGroup(services: ["a", "b"].map { FakeService(name: $0, journal: journal) }, logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        await journal.waitFor("run a", "run b")
        running.cancel()
        try await running.value
        #expect(Set(journal.all.filter { $0.hasPrefix("stop ") }) == ["stop a", "stop b"])
    }
}
