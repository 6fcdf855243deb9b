import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// The `--config PATH` option shared by the commands that read a config file.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Config file. Default: $TUNNEL_TUI_CONFIG, $XDG_CONFIG_HOME/tunnel-tui/config.toml, /etc/tunnel-tui/config.toml.",
        valueName: "path"))
    var config: String?

    /// Loads and validates the config; throws a ``ConfigLoadError`` with every problem (exit status 1).
    func load() throws(ConfigLoadError) -> Config {
        do {
            let path = try ConfigLocator.locate(explicit: config)
            return try ConfigLoader.load(path: path)
        } catch {
            throw ConfigLoadError(underlying: error)
        }
    }
}
