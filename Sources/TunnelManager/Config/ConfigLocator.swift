import FoundationEssentials

/// Finds the config file: `--config`, `$TUNNEL_TUI_CONFIG`, `$XDG_CONFIG_HOME/tunnel-tui/config.toml`
/// (default `~/.config`), then `/etc/tunnel-tui/config.toml`.
public enum ConfigLocator {
    /// The candidate paths in search order, for an explicit path (if any) and an environment.
    public static func candidates(explicit: String?, environment: [String: String]) -> [String] {
        if let explicit { return [explicit] }
        var paths: [String] = []
        if let fromEnvironment = environment["TUNNEL_TUI_CONFIG"], !fromEnvironment.isEmpty {
            return [fromEnvironment]
        }
        let home = environment["HOME"] ?? URL.homeDirectory.path
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
        paths.append("\(configHome)/tunnel-tui/config.toml")
        paths.append("/etc/tunnel-tui/config.toml")
        return paths
    }

    /// The first existing candidate; an explicit path is returned even when missing so the error names it.
    public static func locate(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> String {
        let paths = candidates(explicit: explicit, environment: environment)
        if explicit != nil || environment["TUNNEL_TUI_CONFIG"].map({ !$0.isEmpty }) == true {
            return paths[0]
        }
        guard let found = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw .notFound(searched: paths)
        }
        return found
    }
}
