/// Asks the server (`reclaim PORT`, answered by tunnel-tui-reclaim) to end the stale session holding a
/// tunnel's remote port.
///
/// A tunnel on a shared connection asks through its master (a mux session on the same connection): the
/// script never ends the asking session, so it ends the stale one (typically an old master of this very
/// connection, registered with `hold` for all its ports) and never the live master, which registered the same
/// ports. A tunnel with its own ssh, or whose master is not up, asks over a short connection of its own.
enum PortReclaimer {
    /// Runs the request, ending it after `timeout` (a server whose shell hangs must not hold the tunnel's
    /// retries); whether the port was reclaimed, and the server's words (sanitized) or ssh's exit.
    static func reclaim(
        _ tunnel: TunnelConfig, port: Int, through controlPath: String?, launcher: any ChildLauncher,
        clock: any SupervisorClock, timeout: Duration = .seconds(20)
    ) async -> (reclaimed: Bool, detail: String) {
        await withTaskGroup(of: (reclaimed: Bool, detail: String)?.self) { group in
            group.addTask { await ask(tunnel, port: port, through: controlPath, launcher: launcher) }
            group.addTask {
                do {
                    try await clock.sleep(until: clock.now() + timeout)
                } catch {
                    return nil
                }
                return (false, "no answer within \(Int(timeout.seconds)) s")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? (false, "no answer")
        }
    }

    private static func ask(_ tunnel: TunnelConfig, port: Int, through controlPath: String?, launcher: any ChildLauncher) async -> (reclaimed: Bool, detail: String) {
        let arguments = controlPath.map {
            ["-T", "-o", "ControlMaster=no", "-o", "ControlPath=\($0)", "-o", "BatchMode=yes", "--", tunnel.server, "reclaim", String(port)]
        } ?? SSHCommand.reclaimArguments(for: tunnel, port: port)
        let lines = SharedValue<[String]>([])
        let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments) { output in
            if case .line(let line) = output { lines.update { $0.append(TerminalText.sanitize(line)) } }
        }
        let said = lines.value.last { !$0.isEmpty } ?? ""
        let reclaimed = exit == .exited(0) && said.hasPrefix("reclaimed port")
        return (reclaimed, reclaimed ? said : (said.isEmpty ? "ssh \(exit)" : "\(said) (\(exit))"))
    }
}
