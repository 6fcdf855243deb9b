import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// Plain `tunnel-tui` attaches to a running daemon of the same config, in tmux, against a real sshd.
@Suite("dashboard: attached to a daemon, end to end", .serialized)
struct AttachEndToEndTests {
    @Test("two dashboards attach to the daemon and stay live; actions reach its children; quitting detaches and the tunnels keep running")
    func attach() async throws {
        let rig = try await LoopbackSSHServer()
        let socket = "\(rig.directory)/control.sock"
        let ports = try (0..<2).map { _ in try LoopbackSSHServer.freePort() }
        let config = try RigSupport.writeConfig(rig, ports: ports, prefix: "a")
        let daemon = try DaemonProcess(config: config, socket: socket)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilServing())
        #expect(await RigSupport.eventually {
            let first = await RigSupport.isListening(ports[0])
            let second = await RigSupport.isListening(ports[1])
            return first && second
        })
        let command = "LANG=C.UTF-8 \(RigSupport.binary) --config \(config) --socket \(socket); echo EXITED:$?; sleep 60"
        try await Tmux.with(command: command, width: 120, height: 30) { first in
            try await Tmux.with(command: command, width: 100, height: 30) { second in
                var screen = await first.waitForScreen { $0.contains("2 up") && $0.contains("attached to daemon") }
                #expect(screen.contains("attached to daemon pid \(daemon.pid)"), "\(screen)")
                #expect(await second.waitForScreen { $0.contains("2 up") }.contains("2 up"))

                let before = RigSupport.sshProcesses(mentioning: ":\(ports[0]):")
                #expect(before.count == 1)
                await first.send("x")
                screen = await first.waitForScreen { $0.contains("1 stopped") }
                #expect(screen.contains("1 stopped"), "\(screen)")
                #expect(await RigSupport.eventually(timeout: .seconds(10)) { before.allSatisfy { !ProcessTable.isAlive($0) } }, "the daemon's child is gone")
                let other = await second.waitForScreen { $0.contains("1 stopped") }
                #expect(other.contains("1 stopped"), "the second dashboard sees it too:\n\(other)")
                await second.send("s")
                #expect(await first.waitForScreen { $0.contains("2 up") }.contains("2 up"), "an action in the second reaches the first")

                await first.send("q")
                screen = await first.waitForScreen(timeout: .seconds(10)) { $0.contains("Detach?") }
                #expect(screen.contains("Detach? 2 tunnels keep running in the daemon."), "\(screen)")
                await first.send("y")
                screen = await first.waitForScreen(timeout: .seconds(20)) { $0.contains("EXITED:") }
                #expect(screen.contains("EXITED:0"), "\(screen)")
                #expect(screen.contains("detached; 2 tunnels keep running"))
                try await Task.sleep(for: .seconds(1))
                #expect(ports.allSatisfy { RigSupport.sshProcesses(mentioning: ":\($0):").count == 1 }, "the tunnels keep running")
                #expect(await second.capture().contains("2 up"), "the other dashboard stays attached")
            }
        }
        #expect(try ControlClient.send(.status, path: socket).tunnels?.count == 2)
        daemon.stop()
        await rig.stop()
    }
}
