/// One row of the key table: it drives the handler, the footer, the `?` overlay and the README's key list.
struct KeyBinding: Sendable {
    /// What the binding does.
    enum Action: Sendable, Hashable {
        case moveDown, moveUp, first, last, focusLog, back, follow, pageUp, pageDown
        case start, stop, restart, startAll, stopAll, filter, help, quit, redraw, reload, suspend
    }

    let keys: [Key]
    let label: String
    let help: String
    let action: Action
    /// Where it applies.
    let focus: Focus
    /// Whether the footer shows it.
    let inFooter: Bool

    /// Every binding, table keys first.
    static let all: [KeyBinding] = [
        KeyBinding(keys: [.character("j"), .down], label: "j/k", help: "select the next tunnel", action: .moveDown, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("k"), .up], label: "k", help: "select the previous tunnel", action: .moveUp, focus: .table, inFooter: false),
        KeyBinding(keys: [.character("g"), .home], label: "g/G", help: "first tunnel", action: .first, focus: .table, inFooter: false),
        KeyBinding(keys: [.character("G"), .end], label: "G", help: "last tunnel", action: .last, focus: .table, inFooter: false),
        KeyBinding(keys: [.enter, .tab], label: "Enter", help: "focus the log pane", action: .focusLog, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("s")], label: "s", help: "start the selected tunnel (or retry now)", action: .start, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("x")], label: "x", help: "stop the selected tunnel", action: .stop, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("r")], label: "r", help: "restart the selected tunnel", action: .restart, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("S")], label: "S", help: "start all tunnels (asks first)", action: .startAll, focus: .table, inFooter: false),
        KeyBinding(keys: [.character("X")], label: "X", help: "stop all tunnels (asks first)", action: .stopAll, focus: .table, inFooter: false),
        KeyBinding(keys: [.character("/")], label: "/", help: "filter by name (Esc clears)", action: .filter, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("R")], label: "R", help: "reload the config file (applies only the difference)", action: .reload, focus: .table, inFooter: false),
        KeyBinding(keys: [.up, .character("k")], label: "↑/↓", help: "scroll the log up", action: .moveUp, focus: .log, inFooter: true),
        KeyBinding(keys: [.down, .character("j")], label: "↓", help: "scroll the log down", action: .moveDown, focus: .log, inFooter: false),
        KeyBinding(keys: [.pageUp], label: "PgUp/PgDn", help: "scroll the log by a page", action: .pageUp, focus: .log, inFooter: true),
        KeyBinding(keys: [.pageDown], label: "PgDn", help: "scroll the log down by a page", action: .pageDown, focus: .log, inFooter: false),
        KeyBinding(keys: [.home, .character("g")], label: "g", help: "oldest log line", action: .first, focus: .log, inFooter: false),
        KeyBinding(keys: [.end, .character("G")], label: "G", help: "newest log line", action: .last, focus: .log, inFooter: false),
        KeyBinding(keys: [.character("f")], label: "f", help: "follow new log lines", action: .follow, focus: .log, inFooter: true),
        KeyBinding(keys: [.escape, .tab], label: "Esc", help: "back to the table", action: .back, focus: .log, inFooter: true),
        KeyBinding(keys: [.character("?")], label: "?", help: "this help", action: .help, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("?")], label: "?", help: "this help", action: .help, focus: .log, inFooter: false),
        KeyBinding(keys: [.character("q"), .controlC], label: "q", help: "quit (asks when tunnels would be stopped)", action: .quit, focus: .table, inFooter: true),
        KeyBinding(keys: [.character("q"), .controlC], label: "q", help: "quit", action: .quit, focus: .log, inFooter: true),
        KeyBinding(keys: [.controlL], label: "Ctrl-L", help: "redraw the screen", action: .redraw, focus: .table, inFooter: false),
        KeyBinding(keys: [.controlL], label: "Ctrl-L", help: "redraw the screen", action: .redraw, focus: .log, inFooter: false),
        KeyBinding(keys: [.controlZ], label: "Ctrl-Z", help: "suspend to the shell (fg resumes)", action: .suspend, focus: .table, inFooter: false),
        KeyBinding(keys: [.controlZ], label: "Ctrl-Z", help: "suspend to the shell (fg resumes)", action: .suspend, focus: .log, inFooter: false),
    ]

    /// The binding for `key` in `focus`.
    static func binding(for key: Key, in focus: Focus) -> KeyBinding? {
        all.first { $0.focus == focus && $0.keys.contains(key) }
    }
}
