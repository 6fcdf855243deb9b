import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
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
        let reply = try target.instance.send(.reload, timeoutSeconds: 60)
        guard case .reloaded(let summary, _, let instance) = reply else {
            throw InstanceError.refused(.reload, reason: reply.error ?? "reload refused")
        }
        print(TerminalText.sanitize("reloaded \(instance.config): \(summary.description)"))
    }
}
