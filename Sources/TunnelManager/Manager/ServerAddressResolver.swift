/// Finds where a tunnel's ssh really connects (`ssh -G` applies `~/.ssh/config`: a Host alias's HostName and
/// Port), for the per-server reachability check.
enum ServerAddressResolver {
    static func resolve(_ tunnel: TunnelConfig, launcher: any ChildLauncher) async -> Endpoint {
        var arguments = ["-G"]
        if let port = tunnel.serverPort { arguments += ["-p", String(port)] }
        for option in tunnel.sshOptions { arguments += ["-o", option] }
        arguments += ["--", tunnel.server]
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
