import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import LoopbackSSH
import TunnelManager

/// `tunnel-tui demo`: the dashboard on a private loopback sshd with tunnels that show real situations.
struct DemoCommand: SignalHandlingCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the dashboard on a built-in demo: a private sshd on 127.0.0.1, no VPS needed.",
        discussion: """
            Starts OpenSSH's sshd (package openssh-server) on a free loopback port with its own keys, and five \
            tunnels through it: two healthy (ssh banner, http), one whose local service is down, one with a \
            key the server refuses, one whose server port is closed. Quitting ends the sshd and every ssh.
            """)

    @Flag(help: "Print the demo config and exit (after starting and stopping the demo sshd).")
    var printConfig = false

    func run() async throws {
        let rig: LoopbackSSHServer
        do {
            rig = try await LoopbackSSHServer()
        } catch {
            throw SupervisorError.demo(error)
        }
        let web: DemoHTTPService
        do {
            web = try DemoHTTPService()
        } catch {
            await rig.stop()
            throw SupervisorError.demo(error)
        }
        // Started before the supervisor's services and stopped after them, once every ssh has ended.
        let demoServices: [any Service] = [
            StartStopService("demo sshd", stop: { await rig.stop() }),
            StartStopService("demo web service", stop: { web.stop() }),
        ]
        let config: Config
        do {
            let text = try Self.config(rig: rig, httpPort: web.port)
            if printConfig {
                print(text)
                web.stop()
                await rig.stop()
                return
            }
            config = try ConfigLoader.parse(text: text, path: "\(rig.directory)/demo.toml")
            try text.write(toFile: config.path, atomically: true, encoding: .utf8)
        } catch {
            web.stop()
            await rig.stop()
            throw SupervisorError.demo(error)
        }
        try await DashboardCommand.show(config: config, socketPath: "\(rig.directory)/control.sock",
                                       label: "demo: sshd on 127.0.0.1:\(rig.port)", before: demoServices)
    }

    /// The demo's config text, written against the running rig.
    static func config(rig: LoopbackSSHServer, httpPort: Int) throws -> String {
        let ports = try (0..<6).map { _ in try LoopbackSSHServer.freePort() }
        let options = rig.clientOptions.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            # tunnel-tui demo: a private sshd on 127.0.0.1:\(rig.port) plays the VPS.
            [defaults]
            server = "\(rig.destination)"
            server_port = \(rig.port)
            identity_file = "\(rig.clientKey)"
            ssh_options = [\(options)]
            probe_interval = "1s"
            probe_timeout = "1s"
            backoff_max = "30s"

            # Healthy: the Pi's own ssh, probed by its banner through the tunnel.
            [[tunnel]]
            name = "pi-ssh"
            remote = "127.0.0.1:\(ports[0])"
            local = "127.0.0.1:\(rig.port)"
            probe = "banner"

            # Healthy: a web service, probed with HTTP GET.
            [[tunnel]]
            name = "home-assistant"
            remote = "127.0.0.1:\(ports[1])"
            local = "127.0.0.1:\(httpPort)"
            probe = "http"

            # The tunnel is fine but nothing listens locally: said so, and not restarted.
            [[tunnel]]
            name = "grafana"
            remote = "127.0.0.1:\(ports[2])"
            local = "127.0.0.1:\(ports[3])"
            probe = "http"

            # A key the server refuses: failed, permission denied, retried slowly.
            [[tunnel]]
            name = "nas"
            remote = "127.0.0.1:\(ports[4])"
            local = "127.0.0.1:\(rig.port)"
            identity_file = "\(rig.wrongKey)"

            # A server port where nothing listens: connection refused, in backoff.
            [[tunnel]]
            name = "backup"
            remote = "127.0.0.1:\(ports[5])"
            local = "127.0.0.1:\(rig.port)"
            server_port = \(try LoopbackSSHServer.freePort())
            """
    }
}
