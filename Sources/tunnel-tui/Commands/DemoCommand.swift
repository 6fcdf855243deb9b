import ArgumentParser

/// `tunnel-tui demo`: the dashboard on a private loopback sshd with demo tunnels.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run the dashboard on a built-in demo (no VPS needed).")

    func run() async throws {}
}
