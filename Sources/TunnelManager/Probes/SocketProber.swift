/// Probes with plain POSIX sockets, non-blocking, on the shared ``EventLoop`` (see ``ProbeAttempt``):
/// no thread waits while a probe does, and name resolution is bounded by the probe's deadline.
public struct SocketProber: EndpointProber {
    /// Creates a prober.
    public init() {}

    /// Probes once; returns within `request.timeout` (plus the loop's scheduling), even if DNS hangs.
    public func probe(_ request: ProbeRequest) async -> ProbeResult {
        await withCheckedContinuation { continuation in
            ProbeAttempt.run(request) { continuation.resume(returning: $0) }
        }
    }
}
