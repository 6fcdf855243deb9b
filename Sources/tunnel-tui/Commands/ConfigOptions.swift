import ArgumentParser
import Foundation
import TunnelManager

/// The `--config PATH` option shared by the commands that read a config file.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Config file. Default: $TUNNEL_TUI_CONFIG, $XDG_CONFIG_HOME/tunnel-tui/config.toml, /etc/tunnel-tui/config.toml.",
        valueName: "path"))
    var config: String?

    /// Loads and validates the config, or prints every problem to stderr and exits with status 1.
    func load() throws -> Config {
        do {
            let path = try ConfigLocator.locate(explicit: config)
            return try ConfigLoader.load(path: path)
        } catch {
            let lines = "tunnel-tui: \(error)".split(separator: "\n", omittingEmptySubsequences: false)
            let safe = lines.map { TerminalText.sanitize(String($0)) }.joined(separator: "\n")
            FileHandle.standardError.write(Data((safe + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
