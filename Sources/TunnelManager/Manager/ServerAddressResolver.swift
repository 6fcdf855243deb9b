/// Finds where a tunnel's ssh really connects (`ssh -G` applies `~/.ssh/config`: a Host alias's HostName and
/// Port), for the per-server reachability check.
enum ServerAddressResolver {
    static func resolve(_ tunnel: TunnelConfig, launcher: any ChildLauncher) async -> Endpoint {
        // No identity: it does not change where ssh connects.
        let arguments = ["-G"] + SSHCommand.serverOptions(port: tunnel.serverPort, identityFile: nil, sshOptions: tunnel.sshOptions)
            + ["--", tunnel.server]
        let lines = SharedValue<[String]>([])
        let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments) { output in
            if case .line(let line) = output { lines.update { $0.append(line) } }
        }
        var host = tunnel.serverHost
        var port = tunnel.serverPort ?? 22
        if exit == .exited(0) {
            for line in lines.value {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2 else { continue }
                if parts[0] == "hostname" { host = String(parts[1]) }
                if parts[0] == "port", let value = Int(parts[1]) { port = value }
            }
        }
        return Endpoint(host: host, port: port)
    }
}
