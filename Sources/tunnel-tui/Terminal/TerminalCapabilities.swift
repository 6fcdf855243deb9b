/// What a terminal can show, as far as the dashboard cares.
struct TerminalCapabilities: Hashable, Sendable {
    /// Whether colours are on: the terminal has them and `NO_COLOR` is unset. Bold, reverse and the state
    /// glyphs stay either way.
    var colors: Bool
    /// Whether the locale is UTF-8; otherwise the dashboard draws ASCII.
    var unicode: Bool
}
