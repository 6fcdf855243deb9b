/// One tunnel's probe loop: the public end every `probe_interval` (staggered by `group`), and the local end
/// too when the public one fails, so a failure can be told apart from a local service that is down.
enum ProbeLoop {
    /// Probes until the task is cancelled, handing each round to `report`.
    static func run(
        tunnel: TunnelConfig, group: Int, prober: any EndpointProber, clock: any SupervisorClock,
        serverHost: String?, report: @Sendable (ProbeOutcome) async -> Void
    ) async {
        while !Task.isCancelled {
            let publicEnd = await prober.probe(.publicEnd(of: tunnel, serverHost: serverHost))
            var localEnd: ProbeResult?
            if !publicEnd.passed && !Task.isCancelled {
                localEnd = await prober.probe(.localEnd(of: tunnel))
            }
            if Task.isCancelled { return }
            await report(ProbeOutcome(publicEnd: publicEnd, localEnd: localEnd))
            do {
                try await clock.sleep(until: ProbeSchedule.next(after: clock.now(), interval: tunnel.probeInterval, group: group))
            } catch {
                return
            }
        }
    }
}
