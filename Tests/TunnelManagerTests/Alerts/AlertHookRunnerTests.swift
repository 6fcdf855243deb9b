import Foundation
import Testing
import TunnelManager

/// The hook runner: one hook at a time per server, in order, a bounded queue behind a stuck hook, and a report
/// for every run.
@Suite("alerts: hook runner", .serialized)
struct AlertHookRunnerTests {
    private static func event(_ name: String, server: String = "tunnel@vps", command: [String]) -> AlertEvent {
        AlertEvent(kind: .down, tunnels: [
            AlertEvent.Tunnel(
                name: name, state: .backoff, previousState: .up, cause: nil, hint: nil, downSeconds: 30, server: server,
                remote: "vps:1", publicEndpoint: "vps:1"),
        ], command: command)
    }

    @Test("hooks for one server run one at a time and in order; another server's do not wait for them")
    func oneAtATimeInOrder() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let command = ["/bin/sh", "-c", "echo \"start $TUNNEL_NAME\" >> \"$1\"; sleep 0.2; echo \"end $TUNNEL_NAME\" >> \"$1\"", "hook", file]
        let reports = SharedValue<[AlertHookRunner.Report]>([])
        let runner = AlertHookRunner(timeout: .seconds(10)) { report in reports.update { $0.append(report) } }
        for name in ["a", "b", "c"] { await runner.send(Self.event(name, command: command)) }
        await runner.idle()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines == ["start a", "end a", "start b", "end b", "start c", "end c"])
        #expect(reports.value.count == 3)
        #expect(reports.value.allSatisfy { $0.text.contains("sent (/bin/sh: exit status 0") && !$0.isProblem }, "\(reports.value)")

        let otherFile = file + ".other"
        defer { try? FileManager.default.removeItem(atPath: otherFile) }
        let slow = ["/bin/sh", "-c", "sleep 30"]
        let quick = ["/bin/sh", "-c", "echo done > \"$1\"", "hook", otherFile]
        await runner.send(Self.event("slow", server: "tunnel@one", command: slow))
        await runner.send(Self.event("quick", server: "tunnel@two", command: quick))
        let started = ContinuousClock.now
        while !FileManager.default.fileExists(atPath: otherFile) && ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(ContinuousClock.now - started < .seconds(20), "the other server's hook ran beside the slow one (30 s)")
        await runner.stop()
    }

    @Test("behind a stuck hook at most 8 events wait; the oldest is dropped and the drop reported")
    func boundedQueue() async throws {
        let reports = SharedValue<[AlertHookRunner.Report]>([])
        let runner = AlertHookRunner(timeout: .seconds(30)) { report in reports.update { $0.append(report) } }
        let stuck = ["/bin/sh", "-c", "sleep 600"]
        for index in 0..<11 { await runner.send(Self.event("t\(index)", command: stuck)) }
        let dropped = { reports.value.filter { $0.text.contains("dropped the oldest") } }
        let started = ContinuousClock.now
        while dropped().count < 2 && ContinuousClock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        // t0 runs; t1...t10 arrive behind it: t1 and t2 are dropped to keep 8 waiting.
        #expect(dropped().count == 2, "\(reports.value)")
        #expect(dropped().map(\.tunnels) == [["t1"], ["t2"]])
        #expect(dropped().allSatisfy { $0.isProblem })
        await runner.stop()
    }
}
