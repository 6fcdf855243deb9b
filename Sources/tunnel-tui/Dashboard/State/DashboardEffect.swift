/// Work the update function asks the runtime to do against the manager.
enum DashboardEffect: Hashable, Sendable {
    case start(String)
    case stop(String)
    case restart(String)
    case startAll
    case stopAll
    /// Re-read the config file and apply the difference.
    case reload
    /// Stop watching: end the program (stopping the tunnels it supervises).
    case quit
    /// Repaint every cell (Ctrl-L).
    case repaint
    /// Hand the terminal back to the shell and stop until `fg` (Ctrl-Z, SIGTSTP), then repaint every cell.
    case suspend
}
