@preconcurrency import CNcurses
import Foundation

/// The only code that calls ncurses: it flushes a ``Screen`` (writing only the cells that changed since
/// the last frame) and turns key codes into ``Key`` values. Use it from one thread only.
final class NcursesTerminal {
    private var previous: Screen?
    /// Whether colours are on (terminal supports them and `NO_COLOR` is unset).
    let colors: Bool

    /// Whether the locale is UTF-8 (otherwise the dashboard draws ASCII).
    static var localeIsUTF8: Bool {
        setlocale(LC_ALL, "")
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Opens the screen: raw keys (Ctrl-C and Ctrl-Z arrive as keys), no echo, keypad, short Esc delay.
    init(wantColors: Bool) {
        setlocale(LC_ALL, "")
        initscr()
        raw()
        noecho()
        nonl()
        keypad(tt_stdscr(), true)
        nodelay(tt_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        if wantColors && has_colors() {
            start_color()
            use_default_colors()
            let pairs: [(Int16, Int16)] = [(1, Int16(COLOR_GREEN)), (2, Int16(COLOR_YELLOW)), (3, Int16(COLOR_RED)), (4, Int16(COLOR_CYAN)), (5, Int16(COLOR_BLUE))]
            for (pair, color) in pairs { init_pair(pair, color, -1) }
            colors = true
        } else {
            colors = false
        }
    }

    /// Current size in cells.
    var size: (width: Int, height: Int) {
        (Int(getmaxx(tt_stdscr())), Int(getmaxy(tt_stdscr())))
    }

    /// Writes the cells that differ from the last frame (all of them when `full`), then refreshes.
    func draw(_ screen: Screen, full: Bool = false) {
        let previous = (full || self.previous?.width != screen.width || self.previous?.height != screen.height) ? nil : self.previous
        if previous == nil {
            clearok(tt_stdscr(), true)
        }
        for y in 0..<screen.height {
            for x in 0..<screen.width {
                let cell = screen[x, y]
                if let previous, previous[x, y] == cell { continue }
                let scalar = cell.character.unicodeScalars.first?.value ?? 32
                tt_put_wide(Int32(y), Int32(x), wchar_t(scalar), attributes(cell.style), pair(cell.style.color))
            }
        }
        refresh()
        self.previous = screen
    }

    /// Keys waiting in the input buffer, without blocking; a resize arrives as `nil` size change.
    func pendingInput() -> (keys: [Key], resized: Bool) {
        var keys: [Key] = []
        var resized = false
        var character: wint_t = 0
        while true {
            let result = get_wch(&character)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                let code = Int32(character)
                if code == tt_key_resize() {
                    resized = true
                } else if let key = Self.functionKey(code) {
                    keys.append(key)
                }
            } else if let key = Self.characterKey(UInt32(character)) {
                keys.append(key)
            }
        }
        return (keys, resized)
    }

    /// Ends curses mode and restores the terminal.
    func restore() {
        curs_set(1)
        endwin()
    }

    private static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case tt_key_up(): .up
        case tt_key_down(): .down
        case tt_key_home(): .home
        case tt_key_end(): .end
        case tt_key_ppage(): .pageUp
        case tt_key_npage(): .pageDown
        case tt_key_enter(): .enter
        case tt_key_backspace(): .backspace
        default: nil
        }
    }

    private static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 3: return .controlC
        case 9: return .tab
        case 10, 13: return .enter
        case 12: return .controlL
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func attributes(_ style: CellStyle) -> attr_t {
        var value = tt_a_normal()
        if style.bold { value |= tt_a_bold() }
        if style.dim { value |= tt_a_dim() }
        if style.reverse { value |= tt_a_reverse() }
        return value
    }

    private func pair(_ color: CellStyle.Color) -> Int16 {
        guard colors else { return 0 }
        switch color {
        case .standard: return 0
        case .green: return 1
        case .yellow: return 2
        case .red: return 3
        case .cyan: return 4
        case .blue: return 5
        }
    }
}
