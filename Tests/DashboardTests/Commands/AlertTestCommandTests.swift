import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// `tunnel-tui alert test`: runs the configured hook with a test event and exits with its verdict.
@Suite("alert test command", .serialized)
struct AlertTestCommandTests {
    private static func config(_ directory: TemporaryDirectory, command: String, extra: String = "") throws -> String {
        let path = "\(directory.path)/config.toml"
        try """
            [alerts]
            command = \(command)
            timeout = "1s"

            [[tunnel]]
            name = "web"
            server = "tunnel@vps.example.com"
            remote = 8080
            local = "localhost:80"
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a hook that exits 0 passes: its sanitised output and the event it got are shown, exit 0")
    func passes() async throws {
        let directory = try TemporaryDirectory()
        let path = try Self.config(directory, command: #"["/bin/sh", "-c", "echo \"$TUNNEL_EVENT $TUNNEL_NAME\"; printf 'a\\033[31mb\\n'"]"#)
        let run = try await runTunnelTUI(["alert", "test", "--config", path, "web"], timeout: .seconds(20))
        #expect(run.status == 0, "\(run.output) \(run.error)")
        #expect(run.output.contains("hook: test web"), "\(run.output)")
        #expect(run.output.contains("hook: ab"), "escape sequence removed: \(run.output)")
        #expect(run.output.contains("\"event\":\"test\""), "\(run.output)")
        #expect(run.output.contains("ok: exit status 0"), "\(run.output)")
    }

    @Test("the hook inherits the environment but not systemd's NOTIFY_SOCKET and watchdog variables")
    func withheldVariables() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.config(directory, command: #"["/bin/sh", "-c", "echo \"kept=$KEPT_VARIABLE notify=${NOTIFY_SOCKET-unset} watchdog=${WATCHDOG_USEC-unset}\""]"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RigSupport.binary)
        process.arguments = ["alert", "test", "--config", path]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "KEPT_VARIABLE": "yes", "NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000",
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("hook: kept=yes notify=unset watchdog=unset"), "\(text)")
    }

    @Test("a failing or hanging hook fails the command with what happened")
    func fails() async throws {
        let directory = try TemporaryDirectory()
        let failing = try Self.config(directory, command: #"["/bin/sh", "-c", "echo nope; exit 4"]"#)
        let failed = try await runTunnelTUI(["alert", "test", "--config", failing], timeout: .seconds(20))
        #expect(failed.status == 1)
        #expect(failed.output.contains("hook: nope"))
        #expect(failed.error.contains("the hook failed: exit status 4"), "\(failed.error)")
        let hanging = try Self.config(directory, command: #"["/bin/sh", "-c", "sleep 600"]"#)
        let hung = try await runTunnelTUI(["alert", "test", "--config", hanging], timeout: .seconds(20))
        #expect(hung.status == 1)
        #expect(hung.error.contains("killed after its timeout"), "\(hung.error)")
    }

    @Test("a tunnel without alerts or an unknown name is refused with what to do")
    func refuses() async throws {
        let directory = try TemporaryDirectory()
        let path = try Self.config(directory, command: #"["/bin/true"]"#, extra: "alerts = false")
        let quiet = try await runTunnelTUI(["alert", "test", "--config", path, "web"], timeout: .seconds(20))
        #expect(quiet.status == 1)
        #expect(quiet.error.contains("sends no alerts"), "\(quiet.error)")
        let unknown = try await runTunnelTUI(["alert", "test", "--config", path, "nope"], timeout: .seconds(20))
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("known tunnels: web"), "\(unknown.error)")
    }
}
