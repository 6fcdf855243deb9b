import FoundationEssentials
import TOMLKit

/// Reads and validates a TOML config file into a ``Config``, collecting every problem before failing.
public enum ConfigLoader {
    /// Reads the file at `path` and validates it.
    public static func load(path: String) throws(ConfigError) -> Config {
        try parse(text: read(path: path), path: path)
    }

    /// The text of the file at `path` (UTF-8).
    public static func read(path: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                throw .unreadable(path: path, reason: "no such file")
            }
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Validates TOML text as if read from `path` (used in messages and to resolve nothing else).
    public static func parse(text: String, path: String) throws(ConfigError) -> Config {
        // toml++ aborts the process on some malformed table headers instead of reporting them.
        if let hazard = TableHeaderScanner.firstHazard(in: text) {
            throw .invalid(path: path, problems: [hazard])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let problem = ConfigProblem(
                line: error.source.begin.line,
                message: "TOML syntax error at column \(error.source.begin.column): \(error.description)")
            throw .invalid(path: path, problems: [problem])
        } catch {
            throw .invalid(path: path, problems: [ConfigProblem(message: "cannot parse TOML: \(error)")])
        }
        var validator = ConfigValidator(root: root, lines: SourceLines(text: text))
        let (tunnels, warnings) = validator.run()
        if !validator.problems.isEmpty {
            throw .invalid(path: path, problems: validator.problems)
        }
        var config = Config(path: path, tunnels: tunnels, warnings: warnings)
        config.metricsTextfileDir = validator.metricsTextfileDir
        config.metricsListen = validator.metricsListen
        config.metricsInterval = validator.metricsInterval
        return config
    }
}
