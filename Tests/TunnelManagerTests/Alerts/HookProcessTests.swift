import Foundation
import Testing
import TunnelManager

/// Hooks run as real `/bin/sh` children: environment, standard input, output, exit and the time limit.
@Suite("alerts: hook process", .serialized)
struct HookProcessTests {
    private static func event(_ kind: AlertEvent.Kind = .down, names: [String] = ["web"], command: [String]) -> AlertEvent {
        AlertEvent(kind: kind, tunnels: names.map { name in
            AlertEvent.Tunnel(
                name: name, state: .backoff, previousState: .up, cause: "server unreachable (vps:22: connection refused)",
                hint: "is the server up?", downSeconds: 31.4, server: "tunnel@vps", remote: "vps:2222", publicEndpoint: "vps:2222")
        }, command: command)
    }

    @Test("the hook gets the event in TUNNEL_* variables and as one JSON object on its standard input")
    func environmentAndInput() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = "echo \"$TUNNEL_EVENT|$TUNNEL_NAME|$TUNNEL_STATE|$TUNNEL_PREVIOUS_STATE|$TUNNEL_DOWN_SECONDS|$TUNNEL_SERVER|$TUNNEL_HOST\"; cat > \"$1\""
        let outcome = await AlertHookRunner.run(
            Self.event(command: ["/bin/sh", "-c", script, "hook", file]), host: "pi", timeout: .seconds(10), time: 1_790_000_000)
        #expect(outcome.succeeded, "\(outcome.description) \(outcome.lines)")
        #expect(outcome.lines.first == "down|web|backoff|up|31|tunnel@vps|pi")
        let json = try String(contentsOfFile: file, encoding: .utf8)
        #expect(json.hasSuffix("}\n"), "one line")
        #expect(json.filter { $0 == "\n" }.count == 1, "one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "down")
        #expect(object["name"] as? String == "web")
        #expect(object["down_seconds"] as? Int == 31)
        #expect(object["time"] as? String == "2026-09-21T14:13:20Z")
        #expect((object["tunnels"] as? [[String: Any]])?.first?["cause"] as? String == "server unreachable (vps:22: connection refused)")
        #expect((object["message"] as? String)?.contains("web on pi is down for 31 s") == true)
    }

    @Test("a grouped event names every tunnel: TUNNEL_NAME is the comma-separated list and the JSON has each")
    func groupedEvent() {
        let message = AlertMessage(event: Self.event(names: ["a", "b"], command: ["/bin/true"]), host: "pi", time: 0)
        #expect(message.environment["TUNNEL_NAME"] == "a,b")
        #expect(message.environment["TUNNEL_COUNT"] == "2")
        #expect(message.environment["TUNNEL_CAUSE"] == "server unreachable (vps:22: connection refused)")
        #expect(message.environment["TUNNEL_MESSAGE"]?.hasPrefix("2 tunnels of tunnel@vps (a,b) on pi are down for 31 s") == true)
        #expect(String(decoding: message.json, as: UTF8.self).contains("\"tunnels\":[{"))
    }

    @Test("a failing hook's exit status and sanitised output are reported")
    func failingHook() async {
        let outcome = await HookProcess.run(
            command: ["/bin/sh", "-c", "printf 'bad \\033[2Jthing\\n'; exit 3"], environment: [:], input: [], timeout: .seconds(10))
        #expect(outcome.exit == .exited(3))
        #expect(!outcome.succeeded)
        #expect(outcome.lines == ["bad thing"])
    }

    @Test("a hook that runs past its timeout is killed with its process group, and the run says so")
    func timeout() async {
        let started = ContinuousClock.now
        let outcome = await HookProcess.run(
            command: ["/bin/sh", "-c", "sleep 1000 & sleep 1000"], environment: [:], input: [], timeout: .milliseconds(500),
            grace: .milliseconds(500))
        let took = ContinuousClock.now - started
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        #expect(outcome.exit == .signaled(15))
        #expect(took < .seconds(60), "took \(took) (killed, not left to sleep 1000 s; generous for a loaded machine)")
        #expect(outcome.description.contains("killed after its timeout"))
    }

    @Test("a program that cannot run is reported as such")
    func missingProgram() async {
        let outcome = await HookProcess.run(command: ["/nonexistent/hook"], environment: [:], input: [], timeout: .seconds(1))
        #expect(outcome.description.contains("could not start"))
    }
}
