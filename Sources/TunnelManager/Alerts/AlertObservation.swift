/// What the alert rules need to know about one tunnel at one moment: read from its ``TunnelStatus``.
public struct AlertObservation: Sendable, Hashable {
    /// The tunnel's name.
    public var name: String
    /// Its state.
    public var state: TunnelState
    /// Why it is not up, in words.
    public var cause: String?
    /// What to do about the cause.
    public var hint: String?
    /// Its ssh destination; tunnels of one server that go down together are reported together.
    public var server: String
    /// `serverHost:remotePort`.
    public var remote: String
    /// Where its public end is probed.
    public var publicEndpoint: String

    /// Creates an observation.
    public init(
        name: String, state: TunnelState, cause: String? = nil, hint: String? = nil, server: String,
        remote: String = "", publicEndpoint: String = ""
    ) {
        self.name = name
        self.state = state
        self.cause = cause
        self.hint = hint
        self.server = server
        self.remote = remote
        self.publicEndpoint = publicEndpoint
    }

    /// The observation of a tunnel's status.
    public init(_ status: TunnelStatus) {
        self.init(
            name: status.name, state: status.state, cause: status.cause, hint: status.hint, server: status.server,
            remote: status.remote, publicEndpoint: status.publicEndpoint)
    }
}
