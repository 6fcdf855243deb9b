import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// The real binary in tmux against a real sshd, driven with keys as a person would.
@Suite("dashboard: end to end in tmux", .serialized)
struct DashboardEndToEndTests {
    private static func row(of name: String, in screen: String) -> String {
        screen.split(separator: "\n").first { $0.contains(" \(name) ") }.map(String.init) ?? ""
    }

    @Test("start, stop, restart, resize, help and quit work on real tunnels; nothing is left behind")
    func fullSession() async throws {
        let rig = try await LoopbackSSHServer()
        let ports = try (0..<3).map { _ in try LoopbackSSHServer.freePort() }
        let config = try RigSupport.writeConfig(rig, ports: ports, prefix: "t")
        try await Tmux.with(command: "LANG=C.UTF-8 \(RigSupport.binary) --config \(config) --socket \(rig.directory)/control.sock; echo EXITED:$?; sleep 60", width: 120, height: 30) { tmux in

            var screen = await tmux.waitForScreen { $0.contains("3 up") }
            #expect(screen.contains("3 up"), "all up:\n\(screen)")
            #expect(screen.contains("t0") && screen.contains("t1") && screen.contains("t2"))
            let firstPids = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
            #expect(firstPids.count == 1)

            await tmux.send("x")
            screen = await tmux.waitForScreen { Self.row(of: "t0", in: $0).contains("stopped") }
            #expect(Self.row(of: "t0", in: screen).contains("stopped"), "\(screen)")
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { firstPids.allSatisfy { !ProcessTable.isAlive($0) } }, "its ssh is gone")
            #expect(RigSupport.sshProcesses(mentioning: ":\(ports[1]):").count == 1, "the others keep running")

            await tmux.send("s")
            screen = await tmux.waitForScreen { $0.contains("3 up") }
            #expect(screen.contains("3 up"), "started again:\n\(screen)")

            await tmux.send("r")
            screen = await tmux.waitForScreen { $0.contains("restarts 1") && $0.contains("3 up") }
            #expect(screen.contains("restarts 1"), "restart counted:\n\(screen)")
            #expect(Self.row(of: "t0", in: screen).contains("   1 "), "RST column shows it: \(Self.row(of: "t0", in: screen))")

            await tmux.resize(width: 60, height: 20)
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("STATE") && $0.split(separator: "\n").allSatisfy { $0.count <= 60 } }
            #expect(screen.contains("STATE") && screen.contains("t2"), "re-laid out at 60x20:\n\(screen)")
            await tmux.resize(width: 120, height: 30)
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("REMOTE") && $0.contains("3 up") }
            #expect(screen.contains("REMOTE"), "back at 120x30:\n\(screen)")

            await tmux.send("?")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("keys") && $0.contains("stop the selected tunnel") }
            #expect(screen.contains("stop the selected tunnel"), "help shown:\n\(screen)")
            await tmux.send("Escape")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { !$0.contains("stop the selected tunnel") }

            let allPids = ports.flatMap { RigSupport.sshProcesses(mentioning: ":\($0):") }
            #expect(allPids.count == 3)
            await tmux.send("q")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Quit and stop 3 running tunnels?") }
            #expect(screen.contains("Quit and stop 3 running tunnels?"), "asks first:\n\(screen)")
            await tmux.send("y")
            screen = await tmux.waitForScreen(timeout: .seconds(20)) { $0.contains("EXITED:0") }
            #expect(screen.contains("EXITED:0"), "exits 0:\n\(screen)")
            #expect(await tmux.display("#{alternate_on}") == "0", "terminal restored (left the alternate screen)")
            #expect(allPids.allSatisfy { !ProcessTable.isAlive($0) }, "no ssh remains")
        }
        await rig.stop()
    }

    @Test("Ctrl-Z gives the shell its prompt and a sane terminal back; fg redraws the dashboard, which still answers keys")
    func suspendAndResume() async throws {
        let directory = try TemporaryDirectory()
        try await Tmux.with(command: "bash --norc --noprofile -i", width: 120, height: 30) { tmux in
            let prompt = "PROMPT$"
            let promptIsLast: @Sendable (String) -> Bool = { screen in
                screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.hasPrefix(prompt) == true
            }
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            // Quoted apart, so only the prompt itself (not the typed line) reads "PROMPT$ ".
            await tmux.send("PS1='PROMPT''$ '; stty -g > \(directory.path)/before", "Enter")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("\(prompt) ") }
            await tmux.send("LANG=C.UTF-8 \(RigSupport.binary) demo", "Enter")
            var screen = await tmux.waitForScreen { $0.contains("2 up") && $0.contains("pi-ssh") }
            #expect(screen.contains("STATE"), "the demo runs:\n\(screen)")
            let dashboard = ProcessTable.parents().keys.first { ProcessTable.arguments(of: $0) == [RigSupport.binary, "demo"] }
            let pid = try #require(dashboard)

            await tmux.send("C-z")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Stopped") && promptIsLast($0) }
            #expect(screen.contains("Stopped") && promptIsLast(screen), "the shell's prompt is back:\n\(screen)")
            #expect(!screen.contains("STATE"), "the dashboard left the screen:\n\(screen)")
            #expect(await tmux.display("#{alternate_on}") == "0", "the terminal left the alternate screen")
            #expect(Self.processState(pid) == "T", "the dashboard is stopped")

            await tmux.send("fg", "Enter")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("STATE") && $0.contains("pi-ssh") && !$0.contains("Stopped") }
            #expect(screen.contains("STATE") && !screen.contains(prompt), "redrawn whole:\n\(screen)")
            #expect(await tmux.display("#{alternate_on}") == "1")
            await tmux.send("j")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { Self.row(of: "home-assistant", in: $0).hasPrefix("▶") }
            #expect(Self.row(of: "home-assistant", in: screen).hasPrefix("▶"), "still answers keys:\n\(screen)")

            await tmux.send("q")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Quit and stop") }
            await tmux.send("y")
            screen = await tmux.waitForScreen(timeout: .seconds(20)) { promptIsLast($0) && !$0.contains("STATE") }
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { !ProcessTable.isAlive(pid) }, "the dashboard ended")
            await tmux.send("stty -g | cmp -s - \(directory.path)/before && echo STTY-SAME || echo STTY-DIFFERS", "Enter")
            screen = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("STTY-S") || $0.contains("STTY-D") }
            #expect(screen.contains("STTY-SAME"), "the terminal modes are as before:\n\(screen)")
            #expect(await tmux.display("#{alternate_on}") == "0")
        }
    }

    /// Runs `body` with the demo started from an interactive bash in tmux; `body` gets the pane and the
    /// dashboard's pid; quitting is left to `body`.
    private static func withDemoInShell(_ body: @Sendable (Tmux, Int32) async throws -> Void) async throws {
        try await Tmux.with(command: "bash --norc --noprofile -i", width: 120, height: 30) { tmux in
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            // Quoted apart, so only the prompt itself (not the typed line) reads "PROMPT$ ".
            await tmux.send("PS1='PROMPT''$ '", "Enter")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("PROMPT$ ") }
            await tmux.send("LANG=C.UTF-8 \(RigSupport.binary) demo", "Enter")
            let screen = await tmux.waitForScreen { $0.contains("2 up") && $0.contains("pi-ssh") }
            let dashboard = ProcessTable.parents().keys.first { ProcessTable.arguments(of: $0) == [RigSupport.binary, "demo"] }
            let pid = try #require(dashboard, "the demo runs:\n\(screen)")
            try await body(tmux, pid)
            #expect(await RigSupport.eventually(timeout: .seconds(20)) { !ProcessTable.isAlive(pid) }, "the dashboard ended")
        }
    }

    /// Moves the selection with `key` and waits until `name` is selected.
    private static func select(_ name: String, with key: String, in tmux: Tmux) async -> String {
        await tmux.send(key)
        return await tmux.waitForScreen(timeout: .seconds(10)) { Self.row(of: name, in: $0).hasPrefix("▶") }
    }

    /// Quits with q, y.
    private static func quit(_ tmux: Tmux) async {
        await tmux.send("q")
        _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Quit and stop") }
        await tmux.send("y")
    }

    @Test("after a SIGSTOP from outside (the shell takes the terminal in cooked mode), fg gives the dashboard raw keys and the whole screen again")
    func stopFromOutside() async throws {
        try await Self.withDemoInShell { tmux, pid in
            kill(pid, SIGSTOP)
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { Self.processState(pid) == "T" })
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Stopped") }
            await tmux.send("fg", "Enter")
            var screen = await tmux.waitForScreen(timeout: .seconds(10)) { !$0.contains("Stopped") && $0.contains("STATE") }
            #expect(!screen.contains("PROMPT$"), "redrawn whole:\n\(screen)")
            screen = await Self.select("home-assistant", with: "j", in: tmux)
            #expect(Self.row(of: "home-assistant", in: screen).hasPrefix("▶"), "j works without Enter after fg:\n\(screen)")
            await Self.quit(tmux)
        }
    }

    @Test("after Ctrl-Z, bg leaves the shell the terminal: the dashboard stops again until fg")
    func background() async throws {
        try await Self.withDemoInShell { tmux, pid in
            await tmux.send("C-z")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("Stopped") }
            await tmux.send("bg", "Enter")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("PROMPT$ bg") }
            // The shell says "Stopped (tty output)" only at its next prompt; the process state says it now.
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { Self.processState(pid) == "T" }, "stopped again in the background")
            // A real process's time: a dashboard that took the screen back before stopping would show by now.
            try await Task.sleep(for: .seconds(1))
            let shown = await tmux.capture()
            #expect(await tmux.display("#{alternate_on}") == "0", "the shell keeps the screen:\n\(shown)")
            await tmux.send("fg", "Enter")
            _ = await tmux.waitForScreen(timeout: .seconds(10)) { $0.contains("STATE") && !$0.contains("Stopped") }
            let screen = await Self.select("home-assistant", with: "j", in: tmux)
            #expect(Self.row(of: "home-assistant", in: screen).hasPrefix("▶"), "answers keys after fg:\n\(screen)")
            await Self.quit(tmux)
        }
    }

    @Test("a dashboard whose terminal is gone (tmux killed) stops its tunnels and exits 0 instead of trapping on stderr")
    func terminalGone() async throws {
        let directory = try TemporaryDirectory()
        let status = "\(directory.path)/status"
        // The shell ignores the hang-up so it can record the exit status; the dashboard takes SIGHUP itself.
        let tmux = try await Tmux.start(command: "trap '' HUP; LANG=C.UTF-8 \(RigSupport.binary) demo; echo $? > \(status)", width: 100, height: 30)
        let screen = await tmux.waitForScreen { $0.contains("2 up") }
        #expect(screen.contains("STATE"), "the demo runs:\n\(screen)")
        await tmux.kill()
        #expect(await RigSupport.eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: status) })
        let code = (try? String(contentsOfFile: status, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code == "0", "exit status \(code ?? "none") (132 is SIGILL)")
    }

    /// The state letter of a process (`R`, `S`, `T` stopped...), from /proc.
    private static func processState(_ pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: end)...].split(separator: " ").first.map(String.init)
    }

    @Test("a bad config prints the same message as config check, before any screen, and exits 1")
    func badConfig() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tunnel-tui-bad-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.toml").path
        try "[[tunnel]]\nname = \"web\"\nserver = \"vps\"\nremote = 99999\nlocal = \"localhost:80\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await Tmux.with(command: "\(RigSupport.binary) --config \(path) --socket \(directory.path)/control.sock; echo EXITED:$?; sleep 30", width: 120, height: 30) { tmux in
            let screen = await tmux.waitForScreen(timeout: .seconds(20)) { $0.contains("EXITED:") }
            #expect(screen.contains("\(path): line 4: tunnel \"web\": key \"remote\""), "\(screen)")
            #expect(screen.contains("EXITED:1"))
            #expect(await tmux.display("#{alternate_on}") == "0")
        }
    }

    @Test("SIGTERM to the dashboard restores the terminal and ends every ssh")
    func sigterm() async throws {
        let rig = try await LoopbackSSHServer()
        let ports = [try LoopbackSSHServer.freePort()]
        let config = try RigSupport.writeConfig(rig, ports: ports, prefix: "s")
        try await Tmux.with(command: "\(RigSupport.binary) --config \(config) --socket \(rig.directory)/control.sock; echo EXITED:$?; sleep 60", width: 100, height: 30) { tmux in
            _ = await tmux.waitForScreen { $0.contains("1 up") }
            let pids = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
            #expect(pids.count == 1)
            let dashboard = ProcessTable.parents().keys.first { pid in
                ProcessTable.arguments(of: pid)?.first == RigSupport.binary && ProcessTable.arguments(of: pid)?.contains(config) == true
            }
            let pid = try #require(dashboard)
            kill(pid, SIGTERM)
            let screen = await tmux.waitForScreen(timeout: .seconds(20)) { $0.contains("EXITED:") }
            #expect(screen.contains("EXITED:0"), "\(screen)")
            #expect(await tmux.display("#{alternate_on}") == "0")
            #expect(await RigSupport.eventually(timeout: .seconds(10)) { pids.allSatisfy { !ProcessTable.isAlive($0) } })
        }
        await rig.stop()
    }
}
