/// Builds the ssh argv of a shared connection, as arrays: the master (`ssh -M` with a private control
/// socket) and the short-lived mux clients that add and cancel one tunnel's forward on it.
///
/// The control socket options come before the user's `ssh_options` and on the command line, so they win over
/// any `ControlPath`, `ControlMaster` or `ControlPersist` in `~/.ssh/config` (ssh keeps the first value).
public enum MultiplexCommand {
    /// The master's arguments: connects, authenticates and serves forward requests on `controlPath`.
    ///
    /// `-v` lets the supervisor see when it is ready (`Entering interactive session`) and read its causes.
    /// With `reclaim_script`, its session is `hold PORT...` with every port of its tunnels, so the server's
    /// tunnel-tui-reclaim records the session; otherwise `-N`. `ExitOnForwardFailure=no`: a refused forward
    /// fails only that tunnel's request.
    public static func masterArguments(for key: ConnectionKey, controlPath: String, holdPorts: [Int]) -> [String] {
        var arguments = ["-v"] + (key.reclaimScript ? [] : ["-N"]) + [
            "-T",
            "-o", "ControlMaster=yes",
            "-o", "ControlPath=\(controlPath)",
            "-o", "ControlPersist=no",
            "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=no",
            "-o", "ServerAliveInterval=\(SSHCommand.wholeSeconds(key.keepaliveInterval))",
            "-o", "ServerAliveCountMax=\(key.keepaliveCount)",
            "-o", "ConnectTimeout=\(SSHCommand.wholeSeconds(key.connectTimeout))",
            "-o", "StrictHostKeyChecking=\(key.hostKeyPolicy.sshValue)",
        ]
        arguments += SSHCommand.serverOptions(port: key.serverPort, identityFile: key.identityFile, sshOptions: key.sshOptions)
        arguments += ["--", key.server]
        if key.reclaimScript, !holdPorts.isEmpty {
            arguments += ["hold"] + holdPorts.sorted().map(String.init)
        }
        return arguments
    }

    /// A mux client's arguments: `ssh -O forward` (or `cancel`) of the tunnel's `-R` on the master at
    /// `controlPath`. It exits 0 once the server granted (or dropped) the forward, 255 with why not.
    public static func forwardArguments(for tunnel: TunnelConfig, controlPath: String, cancel: Bool = false) -> [String] {
        [
            "-o", "ControlMaster=no",
            "-o", "ControlPath=\(controlPath)",
            "-o", "BatchMode=yes",
            "-O", cancel ? "cancel" : "forward",
            "-R", SSHCommand.forwardSpecification(for: tunnel),
            "--", tunnel.server,
        ]
    }

    /// The command line shown for a tunnel on a shared connection: its mux request.
    public static func commandLine(for tunnel: TunnelConfig, controlPath: String) -> [String] {
        [tunnel.sshProgram] + forwardArguments(for: tunnel, controlPath: controlPath)
    }
}
