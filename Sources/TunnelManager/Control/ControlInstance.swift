/// The process answering on a control socket.
public struct ControlInstance: Sendable, Codable, Hashable {
    /// Its pid.
    public var pid: Int32
    /// `daemon` or `dashboard`.
    public var mode: String
    /// The config file it supervises.
    public var config: String
    /// Its tunnel-tui version (absent from instances older than 0.9).
    public var version: String?

    /// Creates a description of this process's build (`version` defaults to ``BuildInfo/version``).
    public init(pid: Int32, mode: String, config: String, version: String? = BuildInfo.version) {
        self.pid = pid
        self.mode = mode
        self.config = config
        self.version = version
    }
}
