/// Why a configuration could not be loaded: every problem found, naming the file.
public enum ConfigError: Error, Sendable, CustomStringConvertible {
    /// No file was given and none exists in the search path.
    case notFound(searched: [String])
    /// The file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// The file was read and is wrong; all problems are listed.
    case invalid(path: String, problems: [ConfigProblem])

    /// A message for the terminal: one line per problem, prefixed with the file.
    public var description: String {
        switch self {
        case .notFound(let searched):
            return "no config file found; looked in:\n"
                + searched.map { "  \($0)" }.joined(separator: "\n")
                + "\ncreate one from config.example.toml or pass --config PATH"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the config file: \(reason)"
        case .invalid(let path, let problems):
            return problems.map { "\(path): \($0)" }.joined(separator: "\n")
        }
    }
}
