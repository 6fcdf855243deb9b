/// `tunnel-tui check`: probes every tunnel's public end and local target once, concurrently, with no supervisor.
public enum EndpointCheck {
    /// One tunnel's result.
    public struct Result: Sendable, Codable, Hashable {
        /// The tunnel.
        public var name: String
        /// `up` when the public end answers, `unreachable` otherwise.
        public var state: TunnelState
        /// Public probe latency in milliseconds, when it passed.
        public var latencyMilliseconds: Double?
        /// The public probe's verdict.
        public var publicEnd: String
        /// The local probe's verdict.
        public var localEnd: String
        /// Why it is not up, in words.
        public var cause: String?
    }

    /// Probes every tunnel; finishes within the largest probe timeout plus a little (and an `ssh -G` for
    /// tunnels without `public`, whose server may be a Host alias).
    public static func run(_ config: Config, prober: any EndpointProber = SocketProber(),
                           launcher: any ChildLauncher = SpawnLauncher()) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, tunnel) in config.tunnels.enumerated() {
                group.addTask {
                    let serverHost = tunnel.publicFollowsServer
                        ? await ServerAddressResolver.resolve(tunnel, launcher: launcher).host : nil
                    let request = ProbeRequest.publicEnd(of: tunnel, serverHost: serverHost)
                    async let publicEnd = prober.probe(request)
                    async let localEnd = prober.probe(.localEnd(of: tunnel))
                    let (remote, local) = await (publicEnd, localEnd)
                    let cause: String? = remote.passed ? nil
                        : local.passed ? FailureCause.publicProbeFailed(remote.detail).description
                        : FailureCause.localServiceDown("\(tunnel.local): \(local.detail)").description
                    return (index, Result(
                        name: tunnel.name, state: remote.passed ? .up : .unreachable,
                        latencyMilliseconds: remote.passed ? remote.latency.seconds * 1000 : nil,
                        publicEnd: "\(request.endpoint): \(remote.detail)", localEnd: "\(tunnel.local): \(local.detail)", cause: cause))
                }
            }
            var results: [(Int, Result)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
