/// One `--tunnel NAME=REMOTE:LOCAL_HOST:LOCAL_PORT` of `tunnel-tui init` (REMOTE is PORT or BIND:PORT).
struct InitTunnelSpec: Equatable {
    let name: String
    /// `2222` or `0.0.0.0:2222`, as the config's `remote` takes it.
    let remote: String
    let localHost: String
    let localPort: Int

    init(parsing spec: String) throws(InitFailure) {
        let usage = "expected NAME=REMOTE_PORT:LOCAL_HOST:LOCAL_PORT, e.g. ssh=2222:localhost:22 (got \"\(spec)\")"
        guard let equals = spec.firstIndex(of: "=") else { throw InitFailure(usage) }
        name = String(spec[..<equals])
        let parts = spec[spec.index(after: equals)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, parts.count == 3 || parts.count == 4, let port = Int(parts[parts.count - 1]), port > 0, port < 65536 else {
            throw InitFailure(usage)
        }
        remote = parts.count == 4 ? "\(parts[0]):\(parts[1])" : parts[0]
        localHost = parts[parts.count - 2]
        localPort = port
    }
}
