/// Asks the server (`ssh ... reclaim PORT`, answered by tunnel-tui-reclaim) to end the stale session holding
/// a tunnel's remote port. Its own short connection, never a shared one: the stale session may be an old
/// master of that very connection.
enum PortReclaimer {
    /// Runs the request; whether the port was reclaimed, and the server's words (sanitized) or ssh's exit.
    static func reclaim(_ tunnel: TunnelConfig, port: Int, launcher: any ChildLauncher) async -> (reclaimed: Bool, detail: String) {
        let lines = SharedValue<[String]>([])
        let exit = await launcher.run(program: tunnel.sshProgram, arguments: SSHCommand.reclaimArguments(for: tunnel, port: port)) { output in
            if case .line(let line) = output { lines.update { $0.append(TerminalText.sanitize(line)) } }
        }
        let said = lines.value.last { !$0.isEmpty } ?? ""
        let reclaimed = exit == .exited(0) && said.hasPrefix("reclaimed port")
        return (reclaimed, reclaimed ? said : (said.isEmpty ? "ssh \(exit)" : "\(said) (\(exit))"))
    }
}
