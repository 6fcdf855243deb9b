/// One round of probes: the public end (through the tunnel) and, when checked, the local target directly.
public struct ProbeOutcome: Sendable, Hashable {
    /// Probe of the public endpoint, end to end through the tunnel.
    public var publicEnd: ProbeResult
    /// Probe of the local target, checked directly from this side.
    public var localEnd: ProbeResult?

    /// Creates an outcome.
    public init(publicEnd: ProbeResult, localEnd: ProbeResult?) {
        self.publicEnd = publicEnd
        self.localEnd = localEnd
    }
}
