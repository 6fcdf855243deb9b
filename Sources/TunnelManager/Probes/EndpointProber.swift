/// Checks one endpoint; the real one uses sockets, tests may substitute their own.
public protocol EndpointProber: Sendable {
    /// Probes once; never takes much longer than `request.timeout`.
    func probe(_ request: ProbeRequest) async -> ProbeResult
}
