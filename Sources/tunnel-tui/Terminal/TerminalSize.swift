/// A terminal's size in character cells.
struct TerminalSize: Hashable, Sendable {
    var width: Int
    var height: Int
}
