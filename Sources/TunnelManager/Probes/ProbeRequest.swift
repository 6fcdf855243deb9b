/// What to probe and how.
public struct ProbeRequest: Sendable, Hashable {
    /// Where to connect.
    public var endpoint: Endpoint
    /// What to check after connecting.
    public var kind: ProbeKind
    /// Banner prefix for `banner`.
    public var expect: String
    /// Path for `http`.
    public var httpPath: String
    /// Whole-probe time limit, name resolution included.
    public var timeout: Duration

    /// Creates a request.
    public init(endpoint: Endpoint, kind: ProbeKind, expect: String = "", httpPath: String = "/", timeout: Duration) {
        self.endpoint = endpoint
        self.kind = kind
        self.expect = expect
        self.httpPath = httpPath
        self.timeout = timeout
    }

    /// The request for a tunnel's public end; `serverHost` (where ssh really connects, from `ssh -G`)
    /// replaces the host when the config did not set `public`.
    public static func publicEnd(of tunnel: TunnelConfig, serverHost: String? = nil) -> ProbeRequest {
        var endpoint = tunnel.publicEndpoint
        if tunnel.publicFollowsServer, let serverHost { endpoint.host = serverHost }
        return ProbeRequest(endpoint: endpoint, kind: tunnel.probe, expect: tunnel.expect,
                            httpPath: tunnel.httpPath, timeout: tunnel.probeTimeout)
    }

    /// The request for a tunnel's local target.
    public static func localEnd(of tunnel: TunnelConfig) -> ProbeRequest {
        ProbeRequest(endpoint: tunnel.local, kind: tunnel.probe, expect: tunnel.expect,
                     httpPath: tunnel.httpPath, timeout: tunnel.probeTimeout)
    }
}
