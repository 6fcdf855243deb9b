import Logging

/// The per-server circuit breaker at work: one TCP check per server while its ssh port does not answer.
extension TunnelManager {
    /// The host a tunnel's ssh really connects to (its server's Host alias resolved by `ssh -G`), looked up
    /// once per server.
    func serverHost(of tunnel: TunnelConfig) async -> String {
        await serverEndpoint(of: tunnel).host
    }

    /// Where a tunnel's ssh really connects, host and port (`ssh -G`), looked up once per server.
    func serverEndpoint(of tunnel: TunnelConfig) async -> Endpoint {
        let key = ServerCircuitBreaker.key(of: tunnel)
        if let known = servers.endpoints[key] { return known }
        let endpoint = await ServerAddressResolver.resolve(tunnel, launcher: launcher)
        servers.endpoints[key] = endpoint
        return endpoint
    }

    /// A tunnel's ssh failed because its server did not answer: check the server once, and while it does not
    /// answer, hold every tunnel of that server behind one cheap TCP check instead of each retrying ssh.
    func serverLevelFailure(of name: String) {
        guard let tunnel = runtimes[name]?.supervisor.config else { return }
        let key = ServerCircuitBreaker.key(of: tunnel)
        if let detail = servers.down[key] {
            deliver(.serverDown(detail: detail), to: name)
            return
        }
        guard servers.checks[key] == nil else { return }
        startServerCheck(key, tunnel: tunnel)
    }

    /// One TCP check of the server's ssh port now, then every `server_check_interval` while it does not
    /// answer; marks the server down on the first failure (unless known down) and up when it answers.
    private func startServerCheck(_ key: String, tunnel: TunnelConfig) {
        servers.checks[key] = Task { [launcher, prober, clock] in
            let endpoint = await ServerAddressResolver.resolve(tunnel, launcher: launcher)
            let request = ProbeRequest(endpoint: endpoint, kind: .tcp, timeout: min(tunnel.connectTimeout, .seconds(3)))
            while !Task.isCancelled {
                let result = await prober.probe(request)
                if Task.isCancelled { return }
                if result.passed {
                    self.serverAnswered(key)
                    return
                }
                self.markServerDown(key, detail: "\(endpoint): \(result.detail)")
                do {
                    try await clock.sleep(until: clock.now() + tunnel.serverCheckInterval)
                } catch {
                    return
                }
            }
        }
    }

    private func tunnels(ofServer key: String) -> [String] {
        order.filter { name in runtimes[name].map { ServerCircuitBreaker.key(of: $0.supervisor.config) == key } ?? false }
    }

    private func markServerDown(_ key: String, detail: String) {
        guard servers.markDown(key, detail: detail) else { return }
        logger.notice("server \(ServerCircuitBreaker.serverName(key)): ssh port not answering (\(detail)); its tunnels wait for it")
        for name in tunnels(ofServer: key) {
            deliver(.serverDown(detail: detail), to: name)
        }
    }

    /// The check reached the server: if it was down, every tunnel of it reconnects now; if not, tunnels whose
    /// long-lived connection just dropped reconnect now.
    private func serverAnswered(_ key: String) {
        guard servers.answered(key) else {
            for name in tunnels(ofServer: key) { deliver(.serverAnswered, to: name) }
            return
        }
        logger.notice("server \(ServerCircuitBreaker.serverName(key)): ssh port answers again; reconnecting its tunnels")
        for name in tunnels(ofServer: key) {
            deliver(.serverUp, to: name)
        }
    }

    /// The network changed: tunnels in backoff retry now with a fresh backoff, and servers known to be down
    /// are checked again at once.
    public func networkChanged() {
        guard !shuttingDown else { return }
        logger.notice("network changed: retrying now")
        for name in order { deliver(.networkChanged, to: name) }
        for key in servers.down.keys {
            guard let name = tunnels(ofServer: key).first, let tunnel = runtimes[name]?.supervisor.config else { continue }
            servers.checks[key]?.cancel()
            startServerCheck(key, tunnel: tunnel)
        }
    }
}
