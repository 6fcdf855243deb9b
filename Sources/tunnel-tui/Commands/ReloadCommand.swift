import ArgumentParser
import Foundation
import TunnelManager

/// `tunnel-tui reload`: asks the running instance to re-read its config and apply the difference; exits 1
/// with the config's errors when the file is broken (nothing changes then), so `systemctl reload` fails loudly.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Ask the running instance to re-read its config file and apply only the difference.",
        discussion: """
            Prints what changed. A file with errors is rejected as a whole: the errors are printed, nothing \
            changes, and the exit status is 1 (3 when no instance answers). systemd's ExecReload runs this.
            """)

    @OptionGroup var target: InstanceOptions

    func run() throws {
        let reply: ControlResponse
        do {
            reply = try target.instance.send(.reload, timeoutSeconds: 60)
        } catch {
            FileHandle.standardError.write(Data("tunnel-tui: no reload: \(error)\n".utf8))
            throw ExitCode(HealthVerdict.unknown.rawValue)
        }
        guard reply.ok else {
            FileHandle.standardError.write(Data("tunnel-tui: \(TerminalText.sanitize(reply.error ?? "reload refused"))\n".utf8))
            throw ExitCode(1)
        }
        let file = reply.instance.map { " \($0.config)" } ?? ""
        print(TerminalText.sanitize("reloaded\(file): \(reply.reload?.description ?? "nothing changed")"))
    }
}
