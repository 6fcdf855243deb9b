import Foundation
import Synchronization
import Testing
@testable import TunnelManager

/// The launcher every ssh child goes through, on real processes (sh, sleep).
@Suite("spawn launcher")
struct SpawnLauncherTests {
    private let launcher = SpawnLauncher(terminationGrace: .milliseconds(500))

    private func run(_ script: String, skipping: @escaping @Sendable (String) -> Bool = { _ in false }) async -> (ChildExit, [ChildOutput]) {
        let events = Mutex<[ChildOutput]>([])
        let exit = await launcher.run(program: "sh", arguments: ["-c", script], skipping: skipping) { event in
            events.withLock { $0.append(event) }
        }
        return (exit, events.withLock { $0 })
    }

    @Test("stdout and stderr arrive as lines in order, skipped lines never arrive, and the exit status is reported")
    func linesAndStatus() async {
        let (exit, events) = await run("echo one; echo debug1: noise >&2; printf 'two\\r\\nthree'; exit 3", skipping: { $0.hasPrefix("debug1:") })
        #expect(exit == .exited(3))
        guard case .started(let pid) = events.first else {
            Issue.record("no started event first: \(events)")
            return
        }
        #expect(pid > 0)
        #expect(Array(events.dropFirst()) == [.line("one"), .line("two"), .line("three")])
    }

    @Test("a child printing faster than its lines are taken cannot grow memory without end; the last lines stay")
    func floodIsBounded() async {
        let lines = Mutex<[String]>([])
        let exit = await launcher.run(program: "seq", arguments: ["1", "50000"]) { event in
            guard case .line(let line) = event else { return }
            let first = lines.withLock { lines -> Bool in
                lines.append(line)
                return lines.count == 1
            }
            // The first line is taken slowly: meanwhile the child prints everything.
            if first { try? await Task.sleep(for: .seconds(1)) }
        }
        let received = lines.withLock { $0 }
        #expect(exit == .exited(0))
        #expect(received.count <= 10_002, "at most the buffer (10,000) and the lines in hand: \(received.count)")
        #expect(received.last == "50000", "the last lines are kept")
    }

    @Test("without pidfd (older systems) exits are still seen, by polling: status, signal, and cancel")
    func withoutPidfd() async throws {
        var polling = SpawnLauncher(terminationGrace: .milliseconds(500))
        polling.usePidfd = false
        #expect(await polling.run(program: "sh", arguments: ["-c", "echo hi; exit 4"]) { _ in } == .exited(4))
        #expect(await polling.run(program: "sh", arguments: ["-c", "kill -TERM $$"]) { _ in } == .signaled(SIGTERM))
        let started = ContinuousClock.now
        let task = Task { await polling.run(program: "sleep", arguments: ["60"]) { _ in } }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        #expect(await task.value == .signaled(SIGTERM))
        // Ended by the cancel, not by the child's own 60 s; the margin is for a machine busy with other runs
        // (11 s was seen with a load of 14 on two cores).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a child killed by a signal is reported as signaled")
    func signaled() async {
        let (exit, _) = await run("kill -KILL $$")
        #expect(exit == .signaled(SIGKILL))
    }

    @Test("a program that is not there is a launch failure, not a crash")
    func missingProgram() async {
        let exit = await launcher.run(program: "/nonexistent/ssh", arguments: []) { _ in }
        guard case .launchFailed(let reason) = exit else {
            Issue.record("expected launchFailed, got \(exit)")
            return
        }
        #expect(reason.contains("/nonexistent/ssh"))
    }

    @Test("a child whose supervisor died before the parent-death signal was set never runs its program")
    func parentGoneBeforeTheSignal() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)").path
        defer { unlink(marker) }
        // Acted out: the child is told its supervisor is another process, as it would find after being
        // reparented when the supervisor was SIGKILLed between fork and the signal.
        var orphaned = launcher
        orphaned.expectedParent = Int32.max
        let exit = await orphaned.run(program: "touch", arguments: [marker]) { _ in }
        guard case .launchFailed(let reason) = exit else {
            Issue.record("expected launchFailed, got \(exit)")
            return
        }
        #expect(reason.contains("was gone"), "\(reason)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the program must not have run")
        // The real parent passes the check.
        let ran = await launcher.run(program: "touch", arguments: [marker]) { _ in }
        #expect(ran == .exited(0))
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test("the child leads its own session, has every signal at its default, and no descriptor but 0, 1 and 2")
    func cleanChild() async {
        // Ignored signals survive exec; the daemon ignores SIGTERM, SIGINT and SIGHUP (it waits for them).
        let previous = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previous) }
        // A descriptor some library opened without close-on-exec must not reach the child either.
        let leaky = open("/dev/null", O_RDONLY)
        defer { close(leaky) }
        #expect(leaky > 2)
        let (exit, events) = await run("""
            echo "sid $(cut -d' ' -f6 /proc/$$/stat) pid $$"
            grep SigIgn /proc/$$/status
            n=3; open=""; while [ $n -lt 1024 ]; do [ -e /proc/$$/fd/$n ] && open="$open $n"; n=$((n + 1)); done
            echo "other descriptors:$open"
            """)
        #expect(exit == .exited(0))
        let lines = events.compactMap { event -> String? in
            if case .line(let line) = event { return line }
            return nil
        }
        #expect(lines.count == 3)
        let ids = lines.first?.split(separator: " ") ?? []
        #expect(ids.count == 4 && ids[1] == ids[3], "session id is the child's pid: \(lines)")
        // Standard signals only: glibc keeps two real-time signals of its own that no program can change.
        let ignored = lines.dropFirst().first?.split(separator: "\t").last.flatMap { UInt64($0, radix: 16) }
        #expect(ignored.map { $0 & 0x7fff_ffff } == 0, "no ignored standard signal: \(lines)")
        // Checked by stat, not by listing: a listing (or a pipeline) opens descriptors of its own meanwhile.
        #expect(lines.last == "other descriptors:", "descriptors 3 and up: \(lines)")
    }

    @Test("cancelling ends the child's whole process group: SIGTERM, then SIGKILL for one that ignores it")
    func cancelTerminatesGroup() async throws {
        let pids = Mutex<[Int32]>([])
        let task = Task {
            await launcher.run(program: "sh", arguments: ["-c", "trap '' TERM; sleep 60 & echo $!; wait"]) { event in
                switch event {
                case .started(let pid): pids.withLock { $0.append(pid) }
                case .line(let line): if let pid = Int32(line) { pids.withLock { $0.append(pid) } }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while pids.withLock({ $0.count }) < 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let started = ContinuousClock.now
        task.cancel()
        let exit = await task.value
        #expect(exit == .signaled(SIGKILL), "the shell ignores SIGTERM, so only SIGKILL ends it")
        #expect(ContinuousClock.now - started < .seconds(10))
        let all = pids.withLock { $0 }
        #expect(all.count == 2)
        try await Task.sleep(for: .milliseconds(300))
        for pid in all {
            // Reaped (the shell) or killed with its group (sleep, reaped by init): either way, gone or a zombie.
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            #expect(state == nil || state == "Z", "pid \(pid) still running")
        }
    }
}
