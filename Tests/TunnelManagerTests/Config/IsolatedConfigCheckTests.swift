import Foundation
import Testing
import TunnelTestSupport
@testable import TunnelManager

/// The reload's child-process check, with `/bin/sh` scripts standing in for `tunnel-tui config check`.
@Suite("config: checking a new file in a child process", .serialized)
struct IsolatedConfigCheckTests {
    private static let validText = ConfigFixture.minimal + "\n"

    /// Runs `body` with a directory holding an executable stand-in script and a config file; removes both.
    private func withStandIn<Result>(
        _ script: String, _ body: (_ executable: String, _ config: String) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tt-isolated-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executable = directory + "/tunnel-tui"
        try ("#!/bin/sh\n" + script + "\n").write(toFile: executable, atomically: true, encoding: .utf8)
        chmod(executable, 0o755)
        let config = directory + "/config.toml"
        try Self.validText.write(toFile: config, atomically: true, encoding: .utf8)
        return try await body(executable, config)
    }

    @Test("a child that crashes rejects the reload with the signal and what to run; nothing changes")
    func crashingChild() async throws {
        try await withStandIn("kill -ABRT $$") { executable, config in
            let manager = TunnelManager(config: try ConfigLoader.load(path: config))
            // The file on disk changes to two tunnels, but the check "crashes" on it.
            try (Self.validText + Self.validText.replacingOccurrences(of: "web", with: "api")
                .replacingOccurrences(of: "8080", with: "8081")).write(toFile: config, atomically: true, encoding: .utf8)
            let service = ControlService(manager: manager, configPath: config, mode: "daemon",
                                         configCheck: IsolatedConfigCheck(executable: executable))
            let reply = await service.reload()
            #expect(!reply.ok)
            #expect(reply.error?.contains("the config parser crashed on \(config) (signal 6); nothing changed; "
                                          + "run tunnel-tui config check --config \(config)") == true, "\(reply.error ?? "")")
            #expect(await manager.names == ["web"], "nothing changed")
            // Without the check the same file reloads: the rejection came from the child.
            let unchecked = await ControlService(manager: manager, configPath: config, mode: "daemon").reload()
            #expect(unchecked.ok)
            #expect(await manager.names == ["web", "api"])
            await manager.shutdown()
        }
    }

    @Test("a child that hangs is killed after the timeout and the reload is rejected")
    func hangingChild() async throws {
        try await withStandIn("exec sleep 60") { executable, config in
            let check = IsolatedConfigCheck(executable: executable, timeout: .seconds(1))
            let clock = ContinuousClock()
            var reason: String?
            let elapsed = await clock.measure { reason = await check.problems(text: Self.validText, path: config) }
            #expect(reason?.contains("did not finish within 1s") == true, "\(reason ?? "nil")")
            #expect(elapsed < .seconds(20), "the hung child was killed: \(elapsed)")
        }
    }

    @Test("the child checks a private copy of the text; its messages name the real file, sanitised")
    func childProblems() async throws {
        try await withStandIn("printf '%s: line 3: bad \\033[31mred\\342\\200\\256\\n' \"$5\" >&2; exit 1") { executable, config in
            let reason = await IsolatedConfigCheck(executable: executable).problems(text: Self.validText, path: config)
            #expect(reason == "\(config): line 3: bad red")
        }
        try await withStandIn("test \"$1 $2 $3 $4\" = 'config check --quiet --config' && exit 0; exit 2") { executable, config in
            #expect(await IsolatedConfigCheck(executable: executable).problems(text: Self.validText, path: config) == nil)
        }
    }
}
