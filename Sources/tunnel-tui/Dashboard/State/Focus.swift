/// Which pane the keys move.
enum Focus: Hashable, Sendable {
    case table
    case log
}
