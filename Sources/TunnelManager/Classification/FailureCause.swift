/// Why a tunnel is not up, in words a user can act on.
public enum FailureCause: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The server refused every key (`Permission denied (publickey)`).
    case authenticationRefused
    /// The server's host key differs from known_hosts: possible man-in-the-middle or a reinstalled server.
    case hostKeyChanged
    /// The server's host key is not in known_hosts and the policy is `strict`.
    case hostKeyUnknown
    /// Host key verification failed for another reason.
    case hostKeyVerificationFailed
    /// ssh rejected an option or its configuration.
    case badSSHOption(String)
    /// The ssh program could not be started.
    case sshMissing(String)
    /// Nothing listens on the server's ssh port.
    case connectionRefused
    /// The server did not answer in time.
    case timedOut
    /// The server's name does not resolve.
    case hostNotResolved
    /// No route to the server (network down or not ready).
    case networkUnreachable
    /// The server still holds the remote port, most likely for a stale session.
    case remotePortInUse(port: Int)
    /// The connection was closed (by the server or the network).
    case connectionClosed
    /// The server stopped answering keepalives.
    case keepaliveTimeout
    /// The local target refuses connections; the tunnel itself is fine.
    case localServiceDown(String)
    /// ssh is connected but the public end does not answer: the tunnel is broken.
    case publicProbeFailed(String)
    /// ssh ended without a message we recognise.
    case exited(String)
    /// The server's ssh port does not answer; the tunnel waits for the per-server check, not for its backoff.
    case serverUnreachable(String)
    /// With `reclaim_script = true`, the server's shell ran `hold PORT` itself: no tunnel-tui-reclaim is the
    /// forced command of this key.
    case reclaimScriptMissing

    /// Whether the cause may mean the server (not this tunnel) is gone: the circuit breaker checks the server
    /// before these tunnels retry. A closed connection counts: when a VPS reboots, every tunnel sees that first.
    public var isServerLevel: Bool {
        switch self {
        case .connectionRefused, .timedOut, .networkUnreachable, .hostNotResolved, .serverUnreachable,
             .connectionClosed, .keepaliveTimeout:
            true
        default:
            false
        }
    }

    /// Whether retrying cannot help until the user changes something (keys, known_hosts, config).
    public var needsUser: Bool {
        switch self {
        case .authenticationRefused, .hostKeyChanged, .hostKeyUnknown, .hostKeyVerificationFailed,
             .badSSHOption, .sshMissing, .reclaimScriptMissing:
            true
        default:
            false
        }
    }

    /// Short words for tables and logs.
    public var description: String {
        switch self {
        case .authenticationRefused: "permission denied (publickey)"
        case .hostKeyChanged: "host key changed"
        case .hostKeyUnknown: "host key unknown"
        case .hostKeyVerificationFailed: "host key verification failed"
        case .badSSHOption(let detail): "bad ssh option: \(detail)"
        case .sshMissing(let detail): "ssh not found: \(detail)"
        case .connectionRefused: "connection refused"
        case .timedOut: "connection timed out"
        case .hostNotResolved: "host name not resolved"
        case .networkUnreachable: "network unreachable"
        case .remotePortInUse(let port): "remote port \(port) already in use on the server"
        case .connectionClosed: "connection closed"
        case .keepaliveTimeout: "keepalive timeout (server not responding)"
        case .localServiceDown(let target): "local service down (\(target))"
        case .publicProbeFailed(let detail): "public end not answering: \(detail)"
        case .exited(let detail): detail
        case .serverUnreachable(let detail): "server unreachable (\(detail))"
        case .reclaimScriptMissing: "the server has no tunnel-tui-reclaim for this key (its shell ran 'hold')"
        }
    }

    /// What the user can do about it, when there is something to say.
    public var hint: String? {
        switch self {
        case .authenticationRefused:
            "add the public key to the server's authorized_keys, or check identity_file and the ssh agent"
        case .hostKeyChanged:
            "if the server was reinstalled, remove the old key with ssh-keygen -R HOST and connect once by hand"
        case .hostKeyUnknown:
            "connect once by hand to record the host key, or set host_key_policy = \"accept-new\""
        case .hostKeyVerificationFailed:
            "check known_hosts for this server"
        case .badSSHOption:
            "fix ssh_options in the config (ssh's message is in the log)"
        case .sshMissing:
            "install openssh-client or set ssh = \"/path/to/ssh\""
        case .connectionRefused:
            "is sshd running on the server, and is server_port right?"
        case .timedOut, .networkUnreachable:
            "the server or the network is down; retrying"
        case .hostNotResolved:
            "check the server name, DNS, or the Host alias in ~/.ssh/config"
        case .remotePortInUse:
            "a stale session still holds the port: install tunnel-tui-reclaim on the server (see tunnel-tui server-setup) "
                + "and set reclaim_script = true so tunnel-tui can free it, and set ClientAliveInterval 10, "
                + "ClientAliveCountMax 3 in its sshd_config"
        case .connectionClosed, .keepaliveTimeout:
            nil
        case .localServiceDown:
            "start the local service; the tunnel is not restarted for it"
        case .publicProbeFailed:
            "the tunnel is restarted after probe_failures failures in a row"
        case .exited:
            nil
        case .serverUnreachable:
            "its tunnels wait together and reconnect as soon as the server's ssh port answers"
        case .reclaimScriptMissing:
            "the server has no tunnel-tui-reclaim for this key: install it (tunnel-tui server-setup) or set reclaim_script = false"
        }
    }
}
