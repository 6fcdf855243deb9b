/// A reply (or, after `subscribe`, an update) on the control socket: one JSON object per line.
public struct ControlResponse: Sendable, Codable, Hashable {
    /// The protocol version of the server.
    public var version: Int
    /// Whether the request was carried out.
    public var ok: Bool
    /// What went wrong, when not ok.
    public var error: String?
    /// Who answers.
    public var instance: ControlInstance?
    /// Every tunnel, for `status`, actions and updates.
    public var tunnels: [TunnelStatus]?
    /// What a reload changed.
    public var reload: ReloadSummary?

    /// Creates a reply.
    public init(ok: Bool, error: String? = nil, instance: ControlInstance? = nil, tunnels: [TunnelStatus]? = nil, reload: ReloadSummary? = nil) {
        self.version = ControlProtocol.version
        self.ok = ok
        self.error = error
        self.instance = instance
        self.tunnels = tunnels
        self.reload = reload
    }

    /// An error reply.
    public static func failure(_ message: String) -> ControlResponse {
        ControlResponse(ok: false, error: message)
    }
}

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
