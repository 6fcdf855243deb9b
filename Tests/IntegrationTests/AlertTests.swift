import Foundation
import Logging
import Testing
import TunnelManager
import TunnelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Alerts against a real sshd: a hook script that appends its environment and standard input to a file.
@Suite("real sshd: alerts", .serialized)
struct AlertTests {
    /// A hook that appends one `EVENT NAME DOWN` line and its JSON input to `file`.
    private static func recordingHook(_ file: String) -> String {
        let script = "{ printf 'EVENT=%s NAME=%s DOWN=%s STATE=%s\\n' \"$TUNNEL_EVENT\" \"$TUNNEL_NAME\" \"$TUNNEL_DOWN_SECONDS\" \"$TUNNEL_STATE\"; cat; } >> \"$1\""
        return "[\"/bin/sh\", \"-c\", \"\(script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\", \"hook\", \"\(file)\"]"
    }

    private static func tunnels(_ names: [String], rig: LoopbackSSHServer) throws -> String {
        try names.map { name in
            """
            [[tunnel]]
            name = "\(name)"
            remote = "127.0.0.1:\(try LoopbackSSHServer.freePort())"
            local = "127.0.0.1:\(rig.port)"
            probe = "banner"

            """
        }.joined()
    }

    /// The `EVENT=...` lines the hook wrote so far.
    private static func events(in file: String) -> [String] {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.hasPrefix("EVENT=") }
    }

    private static func quietLogger() -> Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("sshd down for longer than alert_after: one down event naming the server's tunnels, then one up with the duration")
    func serverOutage() async throws {
        try await RigSupport.withRig { rig in
            let file = "\(rig.directory)/alerts.log"
            // No reconnect at once after the sessions are killed (stable_after) and none within 10 s: a tunnel
            // reconnecting between the rig killing the sessions and its listener's end (seconds on a loaded
            // machine) would get a session that outlives the listener, and the server would not be down.
            // Once the server answers again, its check brings the tunnels back at once, backoff or not.
            let config = try ConfigFixture(rig)
                .with(defaults: ["stable_after": "\"1h\"", "backoff_initial": "\"10s\"", "backoff_max": "\"10s\""])
                .with(tunnels: try Self.tunnels(["a", "b"], rig: rig) + "[alerts]\ncommand = \(Self.recordingHook(file))\nalert_after = \"3s\"\n")
                .parsed()
            try await RigSupport.withManager(config, startAutostart: false) { manager in
                await manager.startAutostartTunnels()
                for name in ["a", "b"] {
                    let status = await RigSupport.waitFor(.up, name, in: manager)
                    #expect(status?.state == .up, "\(RigSupport.logText(status))")
                }
                // Alerting starts once both are up: on a loaded machine the first connection alone can take longer
                // than this short alert_after (that a tunnel never up is reported is a unit test's subject).
                let alerts = await AlertService.start(config: config, manager: manager, logger: Self.quietLogger())
                await rig.stopListener()
                #expect(!(await RigSupport.isListening(rig.port)), "sshd is down")
                let reported = await RigSupport.eventually(timeout: .seconds(20)) { !Self.events(in: file).isEmpty }
                #expect(reported, "a down event within 20 s")
                try await Task.sleep(for: .seconds(2))
                let downs = Self.events(in: file)
                let during = await manager.status(of: "a", logLimit: 200)
                #expect(downs.count == 1, "one event for the server: \(downs)\n\(RigSupport.logText(during))")
                #expect(downs.first?.hasPrefix("EVENT=down NAME=a,b ") == true, "\(downs)")
                try await rig.start()
                let back = await RigSupport.eventually(timeout: .seconds(30)) { Self.events(in: file).count >= 2 }
                #expect(back, "an up event once sshd is back: \(Self.events(in: file))")
                try await Task.sleep(for: .seconds(1))
                let all = Self.events(in: file)
                #expect(all.count == 2, "\(all)")
                let up = all.last ?? ""
                #expect(up.hasPrefix("EVENT=up NAME=a,b "), "\(all)")
                let seconds = up.split(separator: " ").first { $0.hasPrefix("DOWN=") }.flatMap { Int($0.dropFirst(5)) } ?? 0
                #expect(seconds >= 3, "down for at least alert_after: \(up)")
                let json = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                #expect(json.contains("\"tunnels\":[{"), "the JSON went to stdin: \(json)")
                let log = await manager.status(of: "a", logLimit: 200)
                #expect(log?.recentLog.contains { $0.text.contains("alert: down: a,b (server") && $0.text.contains("sent") } == true,
                        "the tunnel's log says it was sent: \(RigSupport.logText(log))")
                await alerts.stop()
            }
        }
    }

    @Test("a blip shorter than alert_after sends nothing")
    func shortBlip() async throws {
        try await RigSupport.withRig { rig in
            let file = "\(rig.directory)/alerts.log"
            let config = try ConfigFixture(rig).with(tunnels: try Self.tunnels(["a"], rig: rig)
                + "[alerts]\ncommand = \(Self.recordingHook(file))\nalert_after = \"12s\"\n").parsed()
            try await RigSupport.withManager(config, startAutostart: false) { manager in
                await manager.startAutostartTunnels()
                #expect(await RigSupport.waitFor(.up, "a", in: manager)?.state == .up)
                let alerts = await AlertService.start(config: config, manager: manager, logger: Self.quietLogger())
                let restartsBefore = await manager.status(of: "a")?.restarts ?? 0
                let blip = ContinuousClock.now
                await rig.stopListener()
                let noticed = await RigSupport.eventually(timeout: .seconds(10)) { await manager.status(of: "a")?.state != .up }
                #expect(noticed, "the blip took the tunnel down")
                try await rig.start()
                let back = await RigSupport.waitFor(.up, "a", in: manager)
                #expect(back?.state == .up, "\(RigSupport.logText(back))")
                #expect((back?.restarts ?? 0) > restartsBefore, "it really reconnected")
                #expect(ContinuousClock.now - blip < .seconds(12), "the blip was shorter than alert_after")
                // Past the moment a down would have been sent, had the blip counted.
                try await Task.sleep(until: blip + .seconds(14))
                #expect(Self.events(in: file).isEmpty, "\(Self.events(in: file))")
                await alerts.stop()
            }
        }
    }

    @Test("a hook that never ends is killed at its timeout and logged, while supervision and probes stay on time")
    func hangingHook() async throws {
        try await RigSupport.withRig { rig in
            let marker = "\(Int.random(in: 100_000...999_999))"
            let config = try ConfigFixture(rig).with(tunnels: try Self.tunnels(["good", "bad"], rig: rig)
                + "identity_file = \"\(rig.wrongKey)\"\n"
                + "[alerts]\ncommand = [\"/bin/sh\", \"-c\", \"sleep \(marker)\"]\nalert_after = \"1s\"\ntimeout = \"3s\"\n").parsed()
            try await RigSupport.withManager(config, startAutostart: false) { manager in
                let alerts = await AlertService.start(config: config, manager: manager, logger: Self.quietLogger())
                await manager.startAutostartTunnels()
                #expect(await RigSupport.waitFor(.up, "good", in: manager)?.state == .up)
                let hookRuns = await RigSupport.eventually(timeout: .seconds(20)) { !Self.processes(mentioning: marker).isEmpty }
                #expect(hookRuns, "the hook for bad started")
                // While the hook hangs: the manager answers at once and the good tunnel keeps being probed.
                let samplesBefore = await manager.status(of: "good")?.latencyHistory.count ?? 0
                var slowest = Duration.zero
                for _ in 0..<15 {
                    let started = ContinuousClock.now
                    _ = await manager.status(of: "good")
                    slowest = max(slowest, ContinuousClock.now - started)
                    try await Task.sleep(for: .milliseconds(100))
                }
                let during = await manager.status(of: "good")
                #expect(slowest < .milliseconds(200), "status took \(slowest)")
                #expect(during?.state == .up)
                #expect((during?.latencyHistory.count ?? 0) >= min(samplesBefore + 2, 60), "probes went on: \(samplesBefore) -> \(during?.latencyHistory.count ?? 0)")
                let killed = await RigSupport.eventually(timeout: .seconds(15)) {
                    await manager.status(of: "bad", logLimit: 200)?.recentLog.contains { $0.text.contains("killed after its timeout") } == true
                }
                let bad = await manager.status(of: "bad", logLimit: 200)
                #expect(killed, "\(RigSupport.logText(bad))")
                #expect(await RigSupport.eventually(timeout: .seconds(5)) { Self.processes(mentioning: marker).isEmpty }, "no hook left")
                await alerts.stop()
            }
        }
    }

    @Test("the daemon alerts through its hook and logs it; a reload that restarts a tunnel and changes alert_after alerts nothing")
    func daemonAlertsAndReloadIsQuiet() async throws {
        try await RigSupport.withRig { rig in
            let file = "\(rig.directory)/alerts.log"
            let config = "\(rig.directory)/alerts.toml"
            let socket = "\(rig.directory)/control.sock"
            let tunnels = try Self.tunnels(["web"], rig: rig)
            func write(probeInterval: String, alertAfter: String) throws {
                try (RigSupport.defaultsTable(rig).replacingOccurrences(of: "probe_interval = \"500ms\"", with: "probe_interval = \"\(probeInterval)\"")
                     + tunnels + "[alerts]\ncommand = \(Self.recordingHook(file))\nalert_after = \"\(alertAfter)\"\n")
                    .write(toFile: config, atomically: true, encoding: .utf8)
            }
            try write(probeInterval: "500ms", alertAfter: "30s")
            let daemon = try DaemonProcess(config: config, socket: socket)
            defer { daemon.stop() }
            #expect(await daemon.waitUntilServing(), "\(daemon.log)")
            let up = await RigSupport.eventually {
                (try? ControlClient.send(.status, path: socket))?.tunnels?.first?.state == .up
            }
            #expect(up, "\(daemon.log)")
            // The tunnel's settings change: the reload restarts it (well within the new, shorter alert_after).
            try write(probeInterval: "400ms", alertAfter: "6s")
            kill(daemon.pid, SIGHUP)
            #expect(await RigSupport.eventually { daemon.log.contains("SIGHUP: reloaded") }, "\(daemon.log)")
            #expect(daemon.log.contains("changed web"), "\(daemon.log)")
            let again = await RigSupport.eventually {
                (try? ControlClient.send(.status, path: socket))?.tunnels?.first?.state == .up
            }
            #expect(again, "\(daemon.log)")
            try await Task.sleep(for: .seconds(7))
            #expect(Self.events(in: file).isEmpty, "the reload alerted: \(Self.events(in: file))")
            // Now a real outage, with the reloaded alert_after.
            await rig.stopListener()
            let reported = await RigSupport.eventually(timeout: .seconds(20)) { !Self.events(in: file).isEmpty }
            #expect(reported, "\(daemon.log)")
            #expect(Self.events(in: file).first?.hasPrefix("EVENT=down NAME=web ") == true, "\(Self.events(in: file))")
            #expect(await RigSupport.eventually { daemon.log.contains("alert down: web") }, "\(daemon.log)")
            #expect(await RigSupport.eventually { daemon.log.contains("web: alert: down: web") && daemon.log.contains("sent (") },
                    "the hook's result is in the log: \(daemon.log)")
            daemon.stop()
            #expect(daemon.process.terminationStatus == 0)
        }
    }

    /// Live processes whose command line mentions `marker`.
    private static func processes(mentioning marker: String) -> [Int32] {
        ProcessTable.parents().keys.filter { pid in
            ProcessTable.isAlive(pid) && (ProcessTable.arguments(of: pid)?.contains { $0.contains(marker) } ?? false)
            && pid != getpid()
        }
    }
}
