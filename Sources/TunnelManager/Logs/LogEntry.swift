import FoundationEssentials

/// One line of a tunnel's log.
public struct LogEntry: Sendable, Hashable, Codable {
    /// Who wrote the line.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// ssh's own output (sanitized).
        case ssh
        /// The supervisor's events.
        case supervisor
    }

    /// When the line arrived.
    public var time: Date
    /// Who wrote it.
    public var origin: Origin
    /// The text, free of control characters.
    public var text: String

    /// Creates an entry.
    public init(time: Date, origin: Origin, text: String) {
        self.time = time
        self.origin = origin
        self.text = text
    }
}
