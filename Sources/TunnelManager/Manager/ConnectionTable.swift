/// Which shared connection each set of connection settings uses: labels (`c1`, `c2`, ...) handed out on first
/// use, each with its runtime and its control socket in the manager's private ``ConnectionDirectory``.
struct ConnectionTable {
    /// Where the control sockets live; nil: sharing is off and every tunnel runs its own ssh.
    let directory: ConnectionDirectory?
    /// The connections, by label.
    var runtimes: [String: ConnectionRuntime] = [:]
    private var labels: [ConnectionKey: String] = [:]
    private var nextNumber = 1

    init(directory: ConnectionDirectory?) {
        self.directory = directory
    }

    /// The label of the connection for `tunnel` (made on first use), or nil when it runs its own ssh.
    mutating func label(for tunnel: TunnelConfig, generationBase: inout Int, now: Duration) -> String? {
        guard tunnel.shareConnection, let directory else { return nil }
        let key = ConnectionKey(tunnel)
        if let label = labels[key], runtimes[label] != nil { return label }
        let label = "c\(nextNumber)"
        nextNumber += 1
        generationBase += 1_000_000
        labels[key] = label
        runtimes[label] = ConnectionRuntime(
            supervisor: ConnectionSupervisor(key: key, label: label, now: now, attemptGap: min(tunnel.backoffInitial, .seconds(1)), generationBase: generationBase),
            controlPath: directory.socketPath(for: label))
        return label
    }

    /// Forgets connection `label`.
    mutating func remove(_ label: String) {
        runtimes[label] = nil
        labels = labels.filter { $0.value != label }
    }
}
