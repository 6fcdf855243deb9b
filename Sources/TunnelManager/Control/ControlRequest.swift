/// A request on the control socket: one JSON object per line, e.g. `{"version":1,"command":"stop","name":"web"}`.
public struct ControlRequest: Sendable, Codable, Hashable {
    /// The protocol version the client speaks.
    public var version: Int
    /// `status`, `log`, `start`, `stop`, `restart`, `start-all`, `stop-all`, `reload` or `subscribe`.
    public var command: String
    /// The tunnel, for `log`, `start`, `stop` and `restart`.
    public var name: String?

    /// Creates a request in the current protocol version.
    public init(command: String, name: String? = nil) {
        self.version = ControlProtocol.version
        self.command = command
        self.name = name
    }
}

/// Constants of the control protocol.
public enum ControlProtocol {
    /// Bumped on incompatible changes; servers answer other versions with an error.
    public static let version = 1
    /// Longest request line accepted.
    public static let maximumRequestBytes = 64 * 1024
    /// The commands a server understands.
    public static let commands = ["status", "log", "start", "stop", "restart", "start-all", "stop-all", "reload", "subscribe"]
}
