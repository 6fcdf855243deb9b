import TunnelManager

/// Why a supervising command (daemon, dashboard, demo) did not start; nothing was left running.
enum SupervisorError: CommandError {
    /// The control socket could not be served (another instance holds it, an unsafe directory...).
    case controlSocket(ControlError)
    /// Another config's instance serves the socket this one would take.
    case socketServedByOther(socket: String, instance: ControlInstance, config: String)
    /// The instance that supervises this config answered, but the dashboard could not subscribe to it.
    case attach(ControlError)
    /// The metrics exporter could not start (its port taken, say).
    case metrics(any Error)
    /// The demo's sshd, web service or config could not be set up.
    case demo(any Error)

    var description: String {
        switch self {
        case .controlSocket(let error), .attach(let error):
            return error.description
        case .socketServedByOther(let socket, let other, let config):
            let who = "\(TerminalText.sanitize(other.mode)) pid \(other.pid) supervising \(TerminalText.sanitize(other.config))"
            return "\(socket) is served by \(who), not \(config); stop it or pass --socket"
        case .metrics(let error):
            return "metrics: \(error); choose another metrics_listen in the config, or stop what holds that port"
        case .demo(let error):
            return "demo: \(error)"
        }
    }
}
