/// A key press, decoded from the terminal.
enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, home, end, pageUp, pageDown
    case enter, tab, escape, backspace
    case controlC, controlL, controlZ
}
