import FoundationEssentials

/// What to set up on each server for the configured tunnels: sshd_config lines, the reclaim script, and one
/// restricted authorized_keys line per key (only the ports its tunnels use).
public enum ServerSetupGuide {
    /// The text `tunnel-tui server-setup` prints.
    public static func text(for config: Config) -> String {
        var groups: [(server: String, identity: String?, tunnels: [TunnelConfig])] = []
        for tunnel in config.tunnels {
            if let index = groups.firstIndex(where: { $0.server == tunnel.server && $0.identity == tunnel.identityFile }) {
                groups[index].tunnels.append(tunnel)
            } else {
                groups.append((tunnel.server, tunnel.identityFile, [tunnel]))
            }
        }
        var sections: [String] = []
        for group in groups {
            let names = group.tunnels.map(\.name).joined(separator: ", ")
            let permits = group.tunnels.map { "permitlisten=\"\(listenPermission($0.remote))\"" }.joined(separator: ",")
            let ports = group.tunnels.map { String($0.remote.port) }.joined(separator: " ")
            let key = group.identity.flatMap { try? String(contentsOfFile: $0 + ".pub", encoding: .utf8) }?
                .trimmingWhitespace() ?? "ssh-ed25519 AAAA... (the public key of \(group.identity ?? "your agent's key"))"
            let needsGateway = group.tunnels.contains { $0.remote.bindAddress != nil }
            let withoutScript = group.tunnels.filter { !$0.reclaimScript }.map(\.name)
            let configStep = withoutScript.isEmpty
                ? "# 5. tunnel-tui's config already has reclaim_script = true for these tunnels: each registers with the script."
                : """
                # 5. In tunnel-tui's config, once the script is installed: reclaim_script = true (in [defaults] or in
                #    each tunnel; not yet set for: \(withoutScript.joined(separator: ", "))). Each tunnel then registers
                #    its session with the script (`hold PORT`), which is how an unprivileged user can end it later.
                """
            sections.append("""
                # ===== \(group.server) (tunnels: \(names)) =====
                # 1. In /etc/ssh/sshd_config, then: sudo systemctl reload ssh
                AllowTcpForwarding yes
                \(needsGateway ? "GatewayPorts clientspecified" : "# GatewayPorts clientspecified   (only needed to bind addresses other than loopback)")
                ClientAliveInterval 10
                ClientAliveCountMax 3

                # 2. The reclaim script, which frees a port still held by a stale session of this key (it works for
                #    an unprivileged tunnel user, OpenSSH 9.2 to 10.x; it needs sh, ss (iproute2) and /proc):
                #    scp contrib/tunnel-tui-reclaim \(group.server):
                #    ssh \(group.server) sudo install -m 0755 tunnel-tui-reclaim /usr/local/bin/tunnel-tui-reclaim

                # 3. In the tunnel user's ~/.ssh/authorized_keys, one line:
                restrict,port-forwarding,\(permits),command="/usr/local/bin/tunnel-tui-reclaim \(ports)" \(key)

                # 4. Open the public ports in the firewall, e.g.: \(group.tunnels.map { "sudo ufw allow \($0.remote.port)/tcp" }.joined(separator: "; "))

                \(configStep)
                """)
        }
        return sections.joined(separator: "\n\n")
    }

    /// `permitlisten` value for a binding: the port alone for the default (loopback) bind, else host:port.
    static func listenPermission(_ binding: RemoteBinding) -> String {
        guard let address = binding.bindAddress, !address.isEmpty else { return String(binding.port) }
        return address == "*" ? "*:\(binding.port)" : "\(address):\(binding.port)"
    }
}
