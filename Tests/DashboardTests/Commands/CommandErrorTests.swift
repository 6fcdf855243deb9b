import Foundation
import Testing
import TunnelManager
import TunnelTestSupport
@testable import tunnel_tui

/// The errors commands end with: what they say, and the exit status each one sets.
@Suite("command errors")
struct CommandErrorTests {
    @Test("an instance nobody reaches exits 3 like status; a refusal exits 1; a reload says no reload")
    func instanceErrors() {
        let unreachable = InstanceError.unreachable(.stop(tunnel: "web"), reasons: ["no tunnel-tui instance answers on /a", "b"])
        #expect(unreachable.exitStatus == 3)
        #expect(unreachable.description == "no tunnel-tui instance answers on /a; b")
        #expect(InstanceError.unreachable(.reload, reasons: ["x"]).description == "no reload: x")
        let refused = InstanceError.refused(.stop(tunnel: "nope"), reason: "no tunnel named \"nope\"; known tunnels: a")
        #expect(refused.exitStatus == 1)
        #expect(refused.report == "tunnel-tui: no tunnel named \"nope\"; known tunnels: a\n")
    }

    @Test("a report is sanitised line by line, so a hostile reply cannot reach the terminal")
    func reportSanitised() {
        let error = InstanceError.refused(.status, reason: "boom\u{1B}]0;pwned\u{07}\nsecond line")
        #expect(!error.report.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(error.report.hasSuffix("\nsecond line\n"), "\(error.report.debugDescription)")
    }

    @Test("a socket served for another config names who serves it and what to do")
    func socketServedByOther() {
        let other = ControlInstance(pid: 7, mode: "daemon", config: "/etc/tunnel-tui/config.toml")
        let error = SupervisorError.socketServedByOther(socket: "/run/s.sock", instance: other, config: "/home/me/t.toml")
        #expect(error.description == "/run/s.sock is served by daemon pid 7 supervising /etc/tunnel-tui/config.toml, not /home/me/t.toml; stop it or pass --socket")
        #expect(error.exitStatus == 1)
    }

    @Test("start, stop and restart exit 3 with the reason when no instance answers, and 1 when it refuses")
    func actionExitStatuses() async throws {
        let directory = NSTemporaryDirectory() + "tt-errors-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await runTunnelTUI(["stop", "web", "--socket", "\(directory)/control.sock"])
        #expect(result.status == 3)
        #expect(result.error == "tunnel-tui: no tunnel-tui instance answers on \(directory)/control.sock; start one with `tunnel-tui daemon` (or the dashboard)\n", "\(result.error)")
        let reload = try await runTunnelTUI(["reload", "--socket", "\(directory)/control.sock"])
        #expect(reload.status == 3)
        #expect(reload.error.hasPrefix("tunnel-tui: no reload: no tunnel-tui instance answers"), "\(reload.error)")
        let missing = try await runTunnelTUI(["config", "check", "--config", "\(directory)/missing.toml"])
        #expect(missing.status == 1)
        #expect(missing.error.hasPrefix("tunnel-tui: ") && missing.error.contains("missing.toml"), "\(missing.error)")
    }
}
