/// The tunnels of a config that share one ssh connection: those with `share_connection` and equal
/// ``ConnectionKey``s, in config order. What `config check` shows; the manager makes the same groups as the
/// tunnels start.
public struct ConnectionGroup: Sendable {
    /// The settings the tunnels share.
    public let key: ConnectionKey
    /// The tunnels, in config order.
    public let tunnels: [TunnelConfig]

    /// The shared connections `tunnels` ask for, in the order of their first tunnel. Tunnels with
    /// `share_connection = false` run their own ssh and are in no group.
    public static func groups(of tunnels: [TunnelConfig]) -> [ConnectionGroup] {
        var order: [ConnectionKey] = []
        var members: [ConnectionKey: [TunnelConfig]] = [:]
        for tunnel in tunnels where tunnel.shareConnection {
            let key = ConnectionKey(tunnel)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(tunnel)
        }
        return order.map { ConnectionGroup(key: $0, tunnels: members[$0] ?? []) }
    }

    /// The master's command line as one string a user could paste into a shell, with `controlPath` for the
    /// control socket the supervisor makes in a private directory when it starts.
    public func masterDisplay(controlPath: String) -> String {
        let arguments = MultiplexCommand.masterArguments(for: key, controlPath: controlPath, holdPorts: tunnels.map(\.remote.port))
        return SSHCommand.display([key.sshProgram] + arguments)
    }
}
