/// Something a ``TerminalBackend`` read: a key, a new size, or a reason to stop or suspend.
enum TerminalEvent: Hashable, Sendable {
    case key(Key)
    /// The terminal now has this size.
    case resized(TerminalSize)
    /// The terminal is gone (SSH link dropped, tmux killed): stop as for SIGHUP.
    case hangup
    /// SIGTSTP from outside (`kill -TSTP`): suspend as for Ctrl-Z.
    case suspendRequested
    /// The program was continued after a stop it did not ask for (SIGSTOP, then `fg`): the shell has had the
    /// terminal meanwhile, so take it back and redraw every cell.
    case continued
}
