/// Decides which lines of ssh's `-v` output belong in a tunnel's log.
///
/// ssh runs with `-v` so the supervisor sees `remote forward success`; its other `debug1:` lines (dozens
/// per connection) are read for causes but kept out of the log, except the few that tell a story.
public enum SSHOutputFilter {
    private static let keptDebugMarkers = [
        "connecting to", "connection established", "authenticated to", "remote forward success",
        "remote forward failure", "server host key:", "offering public key", "authentications that can continue",
        "connect_to",
    ]

    /// Whether `line` (already sanitized) is worth showing.
    public static func isWorthLogging(_ line: String) -> Bool {
        guard line.hasPrefix("debug") else { return !line.isEmpty }
        let lowered = line.lowercased()
        return keptDebugMarkers.contains { lowered.includes($0) }
    }

    /// Whether a raw line is `-v` chatter the supervisor has no use for: not logged, no cause, not the
    /// forward report.
    public static func isNoise(_ line: String) -> Bool {
        guard line.hasPrefix("debug") else { return false }
        return !isWorthLogging(line) && CauseClassifier.classify(line: line) == nil
    }
}
