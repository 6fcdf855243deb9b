/// One step that brings a terminal from one frame to the next, as ``Screen/diff(from:)`` computes them; a
/// ``TerminalBackend`` only writes them.
enum ScreenChange: Hashable, Sendable {
    /// Clear the whole terminal first (first frame, new size, Ctrl-L); every row follows as a run.
    case clear
    /// Write `cells` on row `y` from column `x` rightwards.
    case run(x: Int, y: Int, cells: [Cell])
}
