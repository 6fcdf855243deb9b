/// Builds the ssh argv for a tunnel, as an array: nothing passes through a shell.
public enum SSHCommand {
    /// The arguments after the program name.
    ///
    /// `-v` makes ssh report `remote forward success`, which is how the supervisor knows the forward is
    /// established; its other debug lines are read for causes and kept out of the log. With
    /// `reclaim_script`, the tunnel asks for a session `hold PORT` instead of `-N`: tunnel-tui-reclaim,
    /// the key's forced command, records the session so that a later `reclaim PORT` can end it.
    public static func arguments(for tunnel: TunnelConfig) -> [String] {
        var arguments = [
            "-v",
        ] + (tunnel.reclaimScript ? [] : ["-N"]) + [
            "-T",
            "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=yes",
            "-o", "ServerAliveInterval=\(wholeSeconds(tunnel.keepaliveInterval))",
            "-o", "ServerAliveCountMax=\(tunnel.keepaliveCount)",
            "-o", "ConnectTimeout=\(wholeSeconds(tunnel.connectTimeout))",
            "-o", "ControlMaster=no",
            "-o", "ControlPath=none",
            "-o", "StrictHostKeyChecking=\(tunnel.hostKeyPolicy.sshValue)",
        ]
        arguments += serverOptions(port: tunnel.serverPort, identityFile: tunnel.identityFile, sshOptions: tunnel.sshOptions)
        arguments += ["-R", forwardSpecification(for: tunnel)]
        arguments += ["--", tunnel.server]
        if tunnel.reclaimScript {
            arguments += ["hold", String(tunnel.remote.port)]
        }
        return arguments
    }

    /// The `-R` value: `[bind:]port:host:port`, an IPv6 local host in brackets.
    public static func forwardSpecification(for tunnel: TunnelConfig) -> String {
        let target = tunnel.local.host.contains(":") ? "[\(tunnel.local.host)]" : tunnel.local.host
        return "\(tunnel.remote):\(target):\(tunnel.local.port)"
    }

    /// The arguments that ask the server to end a stale session holding `port` (`reclaim PORT`, answered by
    /// the tunnel-tui-reclaim forced command); same connection options as the tunnel, no forward.
    public static func reclaimArguments(for tunnel: TunnelConfig, port: Int) -> [String] {
        [
            "-T",
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=\(wholeSeconds(tunnel.connectTimeout))",
            "-o", "ControlMaster=no",
            "-o", "ControlPath=none",
            "-o", "StrictHostKeyChecking=\(tunnel.hostKeyPolicy.sshValue)",
        ] + serverOptions(port: tunnel.serverPort, identityFile: tunnel.identityFile, sshOptions: tunnel.sshOptions)
            + ["--", tunnel.server, "reclaim", String(port)]
    }

    /// The full command line, program first, for display (`config check`, the detail pane).
    public static func commandLine(for tunnel: TunnelConfig) -> [String] {
        [tunnel.sshProgram] + arguments(for: tunnel)
    }

    /// The command line as one string a user could paste into a shell.
    public static func display(for tunnel: TunnelConfig) -> String {
        display(commandLine(for: tunnel))
    }

    /// `commandLine` (program and arguments) as one string a user could paste into a shell.
    public static func display(_ commandLine: [String]) -> String {
        commandLine.map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@[]%+,".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }

    /// The options that say where and as whom to connect, after tunnel-tui's own (ssh keeps the first value of
    /// an option, so ours win): `-p PORT`, `-i KEY -o IdentitiesOnly=yes`, then the user's `ssh_options`.
    static func serverOptions(port: Int?, identityFile: String?, sshOptions: [String]) -> [String] {
        var arguments: [String] = []
        if let port { arguments += ["-p", String(port)] }
        if let identityFile { arguments += ["-i", identityFile, "-o", "IdentitiesOnly=yes"] }
        for option in sshOptions { arguments += ["-o", option] }
        return arguments
    }

    /// A duration as ssh's whole seconds, at least 1.
    static func wholeSeconds(_ duration: Duration) -> Int {
        max(1, Int(duration.seconds.rounded(.up)))
    }
}
