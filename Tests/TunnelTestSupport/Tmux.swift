import Foundation
import Glibc
import Subprocess
import TunnelManager

/// A detached tmux session on a private server socket: a terminal program driven as a person would.
///
/// tmux runs through swift-subprocess, which gives it a clean signal mask (test threads block most
/// signals, and a tmux server inheriting that would ignore SIGTERM, and so would the shell in its pane).
public struct Tmux: Sendable {
    /// The private tmux server's socket name (`tmux -L`).
    public let socket: String
    /// The session's name.
    public let session = "main"

    /// Starts `command` in a detached session of `width` x `height`.
    public static func start(command: String, width: Int, height: Int) async throws -> Tmux {
        let tmux = Tmux(socket: "tunnel-tui-test-\(UInt32.random(in: 0...UInt32.max))")
        // The server keeps the client's stdout open, so it goes to /dev/null rather than a pipe we would wait on.
        _ = try await Subprocess.run(.name("tmux"), arguments: Arguments(tmux.prefix + [
            "-f", "/dev/null", "new-session", "-d", "-s", tmux.session, "-x", String(width), "-y", String(height), command,
        ]), output: .discarded, error: .discarded)
        return tmux
    }

    /// Runs `body` with a session running `command`, and ends the session afterwards, whatever happens.
    public static func with<Result>(
        command: String, width: Int, height: Int, _ body: (Tmux) async throws -> Result
    ) async throws -> Result {
        let tmux = try await start(command: command, width: width, height: height)
        do {
            let result = try await body(tmux)
            await tmux.kill()
            return result
        } catch {
            await tmux.kill()
            throw error
        }
    }

    private init(socket: String) {
        self.socket = socket
    }

    private var prefix: [String] { ["-L", socket] }

    /// The visible pane as text.
    public func capture() async -> String {
        await output(["capture-pane", "-p", "-t", session])
    }

    /// Polls the pane until `condition` holds or `timeout` passes; returns the last screen seen.
    public func waitForScreen(timeout: Duration = .seconds(30), _ condition: @escaping @Sendable (String) -> Bool) async -> String {
        var last = ""
        // The caller checks the screen this returns, and its message shows what the screen was instead.
        _ = await RigSupport.eventually(timeout: timeout) {
            last = await capture()
            return condition(last)
        }
        return last
    }

    /// Sends keys (tmux names such as `Enter`, `Escape`, or literal text).
    public func send(_ keys: String...) async {
        _ = await output(["send-keys", "-t", session] + keys)
    }

    /// Resizes the window.
    public func resize(width: Int, height: Int) async {
        _ = await output(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    /// A pane format variable, e.g. `alternate_on`.
    public func display(_ format: String) async -> String {
        await output(["display-message", "-p", "-t", session, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Ends the tmux server (its pane's programs get SIGHUP, as when a user's tmux is killed).
    public func kill() async {
        _ = await output(["kill-server"])
    }

    private func output(_ arguments: [String]) async -> String {
        let result = try? await Subprocess.run(.name("tmux"), arguments: Arguments(prefix + arguments),
                                               output: .string(limit: 1 << 20), error: .discarded)
        return result?.standardOutput ?? ""
    }
}
