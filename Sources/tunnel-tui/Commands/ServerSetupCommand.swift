import ArgumentParser
import TunnelManager

/// `tunnel-tui server-setup`: prints what each server needs for the configured tunnels.
struct ServerSetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server-setup",
        abstract: "Print the sshd_config lines, authorized_keys lines and reclaim-script steps for each server.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        print(ServerSetupGuide.text(for: try options.load()))
    }
}
