/// What covers the screen, if anything.
enum Overlay: Hashable, Sendable {
    case none
    case help
    /// A y/n question before an action that touches several tunnels.
    case confirm(ConfirmAction)
}

/// Actions that ask first.
enum ConfirmAction: Hashable, Sendable {
    case startAll
    case stopAll
    case quit(running: Int)
    case detach(running: Int)

    /// The question shown.
    var question: String {
        switch self {
        case .startAll: "Start every tunnel?"
        case .stopAll: "Stop every tunnel?"
        case .quit(let running): "Quit and stop \(running) running tunnel\(running == 1 ? "" : "s")?"
        case .detach(let running): "Detach? \(running) tunnel\(running == 1 ? "" : "s") keep running in the daemon."
        }
    }
}
