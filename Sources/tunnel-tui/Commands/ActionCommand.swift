import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui start|stop|restart NAME` (or `--all`): acts on the running instance; exits 1 when it refuses,
/// 3 when none answers.
protocol TunnelActionCommand: ParsableCommand {
    var name: String? { get }
    var all: Bool { get }
    var target: InstanceOptions { get }
    /// The request for one tunnel.
    static func request(_ name: String) -> ControlRequest
    /// The request for every tunnel, when the command has one.
    static var every: ControlRequest? { get }
}

extension TunnelActionCommand {
    func run() throws {
        let request: ControlRequest
        switch (name, all) {
        case (let name?, false): request = Self.request(name)
        case (nil, true):
            guard let every = Self.every else {
                throw ValidationError("restart --all is not supported; use stop --all then start --all")
            }
            request = every
        default:
            throw ValidationError("name one tunnel or pass --all")
        }
        let reply = try target.instance.send(request)
        guard let tunnels = reply.tunnels else { throw InstanceError.refused(request, reason: reply.error ?? "refused") }
        let shown = tunnels.filter { name == nil || $0.name == name }
        print(StatusTable.render(shown))
    }
}

/// `tunnel-tui start NAME|--all`.
struct StartCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a tunnel (or retry it now) in the running instance.")
    static func request(_ name: String) -> ControlRequest { .start(tunnel: name) }
    static let every: ControlRequest? = .startAll
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel.") var all = false
    @OptionGroup var target: InstanceOptions
}

/// `tunnel-tui stop NAME|--all`.
struct StopCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a tunnel in the running instance.")
    static func request(_ name: String) -> ControlRequest { .stop(tunnel: name) }
    static let every: ControlRequest? = .stopAll
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel.") var all = false
    @OptionGroup var target: InstanceOptions
}

/// `tunnel-tui restart NAME`.
struct RestartCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a tunnel's ssh in the running instance.")
    static func request(_ name: String) -> ControlRequest { .restart(tunnel: name) }
    static let every: ControlRequest? = nil
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel (not supported: use stop --all, start --all).") var all = false
    @OptionGroup var target: InstanceOptions
}
