/// Where the dashboard shows its frames and reads its keys: the terminal through ncurses (``NcursesTerminal``),
/// or a script in tests. This is ratatui's `Backend`: ``Screen/diff(from:)`` decides what changed, and a
/// backend only writes it.
///
/// The dashboard's UI thread is the only one that calls a backend, except for ``waker``.
protocol TerminalBackend: AnyObject {
    /// What the terminal can show; known once ``enter()`` returned.
    var capabilities: TerminalCapabilities { get }
    /// The size in cells.
    var size: TerminalSize { get }
    /// Ends a ``readEvents(timeout:)`` wait early; callable from any thread (news from the manager).
    var waker: @Sendable () -> Void { get }

    /// Takes the terminal over (raw keys, no echo, the alternate screen); called once, before anything else.
    func enter()
    /// Gives the terminal back as it was before ``enter()``; called once, on every way out.
    func restore()
    /// Writes `changes` (from ``Screen/diff(from:)``) and shows them.
    func draw(_ changes: [ScreenChange])
    /// Waits up to `timeout` for input and returns every event waiting; empty when the time passed or
    /// ``waker`` was called first.
    func readEvents(timeout: Duration) -> [TerminalEvent]
    /// Gives the terminal back to the shell and stops the program, as Ctrl-Z stops a program in a cooked
    /// terminal; returns once the program is continued (`fg`). ``resume()`` follows.
    func suspend()
    /// Takes the terminal back after ``suspend()``; the caller then redraws every cell.
    func resume()
}
