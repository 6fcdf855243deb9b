/// What a reload does to each tunnel, worked out before anything is touched: new tunnels start, removed
/// ones stop, changed ones restart with their new settings (on the connection their settings now name),
/// unchanged ones keep running with their counters.
struct ReloadPlan {
    /// Tunnels gone from the file.
    var removed: [String] = []
    /// Tunnels new in the file.
    var added: [TunnelConfig] = []
    /// Tunnels whose settings changed.
    var changed: [TunnelConfig] = []
    /// Tunnels left as they are.
    var unchanged: [String] = []

    /// The plan from the running tunnels' settings (`current`, in order) to `config`.
    init(current: [TunnelConfig], config: Config) {
        let newNames = Set(config.tunnels.map(\.name))
        removed = current.map(\.name).filter { !newNames.contains($0) }
        let byName = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for tunnel in config.tunnels {
            switch byName[tunnel.name] {
            case nil: added.append(tunnel)
            case let existing? where existing == tunnel: unchanged.append(tunnel.name)
            default: changed.append(tunnel)
            }
        }
    }
}
