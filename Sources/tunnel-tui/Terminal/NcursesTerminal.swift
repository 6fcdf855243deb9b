@preconcurrency import CNcurses
import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The terminal through ncurses, the only code that calls it: writes the changes ``Screen/diff(from:)``
/// computed, turns key codes into ``Key`` values, and hands the terminal back for Ctrl-Z. Use it from one
/// thread only (curses is not thread-safe), apart from ``waker``.
final class NcursesTerminal: TerminalBackend {
    private(set) var capabilities = TerminalCapabilities(colors: false, unicode: false)
    private let wantsColors: Bool
    /// Woken by news for the UI (the mailbox).
    private let wakePipe = WakePipe()
    /// Readable when a SIGTSTP or SIGCONT arrived (``JobControl``).
    private var jobSignals: Int32 = -1
    /// Events read from curses but not yet returned.
    private var pending: [TerminalEvent] = []

    /// A terminal that shows colours unless `NO_COLOR` is set (to anything but the empty string). Nothing
    /// happens to the terminal before ``enter()``.
    init(noColor: Bool = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false) {
        wantsColors = !noColor
    }

    var size: TerminalSize {
        TerminalSize(width: Int(getmaxx(tt_stdscr())), height: Int(getmaxy(tt_stdscr())))
    }

    var waker: @Sendable () -> Void {
        { [wakePipe] in wakePipe.wake() }
    }

    /// Opens the screen: raw keys (Ctrl-C and Ctrl-Z arrive as keys), no echo, keypad, short Esc delay.
    func enter() {
        setlocale(LC_ALL, "")
        jobSignals = JobControl.catchSignals()
        initscr()
        raw()
        noecho()
        nonl()
        keypad(tt_stdscr(), true)
        nodelay(tt_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        var colors = false
        if wantsColors && has_colors() {
            start_color()
            use_default_colors()
            let pairs: [(Int16, Int16)] = [(1, Int16(COLOR_GREEN)), (2, Int16(COLOR_YELLOW)), (3, Int16(COLOR_RED)), (4, Int16(COLOR_CYAN)), (5, Int16(COLOR_BLUE))]
            for (pair, color) in pairs { init_pair(pair, color, -1) }
            colors = true
        }
        capabilities = TerminalCapabilities(colors: colors, unicode: Self.localeIsUTF8)
    }

    /// Ends curses mode and restores the terminal; SIGTSTP does again what it did before ``enter()``.
    func restore() {
        curs_set(1)
        endwin()
        JobControl.releaseSignals()
    }

    func draw(_ changes: [ScreenChange]) {
        for change in changes {
            switch change {
            case .clear:
                clearok(tt_stdscr(), true)
            case .run(let x, let y, let cells):
                for (offset, cell) in cells.enumerated() {
                    let scalar = cell.character.unicodeScalars.first?.value ?? 32
                    tt_put_wide(Int32(y), Int32(x + offset), wchar_t(scalar), attributes(cell.style), pair(cell.style.color))
                }
            }
        }
        refresh()
    }

    func readEvents(timeout: Duration) -> [TerminalEvent] {
        if pending.isEmpty {
            let milliseconds = Int32(clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wakePipe.readDescriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: jobSignals, events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, 3, milliseconds)
            wakePipe.drain()
            if descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // Never spin on a terminal that is gone.
                pending.append(.hangup)
            }
            let arrivals = JobControl.takeSignals()
            if arrivals.continued { pending.append(.continued) }
            if arrivals.stopRequested { pending.append(.suspendRequested) }
            pending += pendingInput()
        }
        defer { pending = [] }
        return pending
    }

    /// Leaves curses mode and stops the job until the shell continues it.
    func suspend() {
        curs_set(1)
        endwin()
        JobControl.stopJob()
        // The SIGCONT of this stop needs no second resume.
        _ = JobControl.takeSignals()
    }

    /// Puts the terminal back in the program's modes (raw, no echo, keypad) and curses mode. Continued in the
    /// background (`bg`), the job stops again first (SIGTTOU, as for any background job that wants the
    /// terminal), as often as it takes until `fg`.
    func resume() {
        while !JobControl.isInForeground, JobControl.stopJob(with: SIGTTOU) {}
        _ = JobControl.takeSignals()
        reset_prog_mode()
        refresh()
        keypad(tt_stdscr(), true)
        curs_set(0)
    }

    /// Whether the locale is UTF-8 (otherwise the dashboard draws ASCII).
    private static var localeIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Keys waiting in curses' input buffer, without blocking; a resize arrives as an event with the new size.
    private func pendingInput() -> [TerminalEvent] {
        var events: [TerminalEvent] = []
        var character: wint_t = 0
        while true {
            let result = get_wch(&character)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                let code = Int32(character)
                if code == tt_key_resize() {
                    events.append(.resized(size))
                } else if let key = Self.functionKey(code) {
                    events.append(.key(key))
                }
            } else if let key = Self.characterKey(UInt32(character)) {
                events.append(.key(key))
            }
        }
        return events
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
        case 26: return .controlZ
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
        guard capabilities.colors else { return 0 }
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
