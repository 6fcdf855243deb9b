/// Per-server reachability: while a server's ssh port does not answer, its tunnels (and connections) wait
/// behind one TCP check instead of each retrying ssh. Bookkeeping only; the manager runs the checks.
struct ServerCircuitBreaker {
    /// Servers whose ssh port is being checked, by ``key(of:)``.
    var checks: [String: Task<Void, Never>] = [:]
    /// Servers known not to answer, with why.
    var down: [String: String] = [:]
    /// Where each server's ssh really connects (`ssh -G`: host and port), looked up once, forgotten on reload.
    var endpoints: [String: Endpoint] = [:]

    /// Tunnels with the same key share one server and its reachability.
    static func key(of tunnel: TunnelConfig) -> String {
        "\(tunnel.server)|\(tunnel.serverPort.map(String.init) ?? "")|\(tunnel.sshOptions.joined(separator: " "))"
    }

    /// The server's name in a key, for the log.
    static func serverName(_ key: String) -> String {
        String(key.split(separator: "|").first ?? "")
    }

    /// Records `key` down; false when it already was.
    mutating func markDown(_ key: String, detail: String) -> Bool {
        guard down[key] == nil else { return false }
        down[key] = detail
        return true
    }

    /// Records that the check of `key` reached the server; returns whether it had been down.
    mutating func answered(_ key: String) -> Bool {
        checks[key] = nil
        return down.removeValue(forKey: key) != nil
    }

    /// Cancels every check.
    func cancelAll() {
        for check in checks.values { check.cancel() }
    }
}
