import Logging

/// Reloading: the plan (``ReloadPlan``) carried out tunnel by tunnel.
extension TunnelManager {
    /// Applies a new configuration: new tunnels start (when autostart), removed ones stop, changed ones
    /// restart with their new settings (a tunnel whose connection settings changed moves to the connection
    /// they name, the others on its old one undisturbed), unchanged ones keep running with their counters.
    public func reload(_ config: Config) -> ReloadSummary {
        let plan = ReloadPlan(current: order.compactMap { runtimes[$0]?.supervisor.config }, config: config)
        var summary = ReloadSummary()
        servers.endpoints = [:]
        for name in plan.removed { retire(name) }
        for tunnel in plan.changed {
            let wasActive = runtimes[tunnel.name]?.supervisor.state.isActive ?? false
            retire(tunnel.name)
            runtimes[tunnel.name] = makeRuntime(tunnel)
            appendLog("settings changed by a reload; restarting with the new ones", origin: .supervisor, to: tunnel.name)
            if wasActive || tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
        }
        for tunnel in plan.added {
            runtimes[tunnel.name] = makeRuntime(tunnel)
            if tunnel.autostart { deliver(.startRequested, to: tunnel.name) }
        }
        summary.removed = plan.removed
        summary.changed = plan.changed.map(\.name)
        summary.added = plan.added.map(\.name)
        summary.unchanged = plan.unchanged
        order = config.tunnels.map(\.name)
        closeUnusedConnections()
        logger.notice("reloaded \(config.path): \(summary)")
        for name in order { notify(name, .status) }
        return summary
    }

    /// Stops a tunnel's child, timers and probes and forgets it (its child is still awaited at shutdown).
    func retire(_ name: String) {
        deliver(.stopRequested, to: name)
        runtimes[name]?.retryTask?.cancel()
        runtimes[name]?.probeTask?.cancel()
        runtimes[name] = nil
    }
}
