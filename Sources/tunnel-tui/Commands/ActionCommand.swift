import ArgumentParser
import Foundation
import TunnelManager

/// `tunnel-tui start|stop|restart NAME` (or `--all`): acts on the running instance.
protocol TunnelActionCommand: ParsableCommand {
    var name: String? { get }
    var all: Bool { get }
    var target: InstanceOptions { get }
    static var command: String { get }
}

extension TunnelActionCommand {
    func run() throws {
        let request: ControlRequest
        switch (name, all) {
        case (let name?, false): request = ControlRequest(command: Self.command, name: name)
        case (nil, true) where Self.command != "restart": request = ControlRequest(command: "\(Self.command)-all")
        case (nil, true):
            throw ValidationError("restart --all is not supported; use stop --all then start --all")
        default:
            throw ValidationError("name one tunnel or pass --all")
        }
        do {
            let reply = try target.instance.send(request)
            guard reply.ok else {
                FileHandle.standardError.write(Data("tunnel-tui: \(TerminalText.sanitize(reply.error ?? "refused"))\n".utf8))
                throw ExitCode(1)
            }
            let tunnels = (reply.tunnels ?? []).filter { name == nil || $0.name == name }
            print(StatusTable.render(tunnels))
        } catch let error as RunningInstance.Failure {
            FileHandle.standardError.write(Data("tunnel-tui: \(error)\n".utf8))
            throw ExitCode(HealthVerdict.unknown.rawValue)
        }
    }
}

/// `tunnel-tui start NAME|--all`.
struct StartCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a tunnel (or retry it now) in the running instance.")
    static let command = "start"
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel.") var all = false
    @OptionGroup var target: InstanceOptions
}

/// `tunnel-tui stop NAME|--all`.
struct StopCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a tunnel in the running instance.")
    static let command = "stop"
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel.") var all = false
    @OptionGroup var target: InstanceOptions
}

/// `tunnel-tui restart NAME`.
struct RestartCommand: TunnelActionCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a tunnel's ssh in the running instance.")
    static let command = "restart"
    @Argument(help: "The tunnel.") var name: String?
    @Flag(help: "Every tunnel (not supported: use stop --all, start --all).") var all = false
    @OptionGroup var target: InstanceOptions
}
