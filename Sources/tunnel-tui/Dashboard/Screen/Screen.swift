import TunnelManager

/// The whole frame in memory: a grid of cells that widgets draw into and the terminal flushes.
/// Tests read it back as text (and as a map of styles).
struct Screen: Equatable, Sendable {
    let width: Int
    let height: Int
    private(set) var cells: [Cell]

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), cut at `maxWidth` (default: the screen's edge); never wraps into another row.
    /// Control characters, bidi controls and other invisible characters are dropped here too, whatever the
    /// caller passed (config values and names reach the screen through here).
    /// Returns the column after the last character written.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return x }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for original in text {
            guard column < limit else { break }
            var character = original
            if !original.unicodeScalars.allSatisfy(TerminalText.isDrawable) {
                var kept = String.UnicodeScalarView()
                kept.append(contentsOf: original.unicodeScalars.filter(TerminalText.isDrawable))
                guard let first = String(kept).first else { continue }
                character = first
            }
            if column >= 0 { self[column, y] = Cell(character: character, style: style) }
            column += 1
        }
        return column
    }

    /// Fills a row segment with a style (and spaces), e.g. the selected row's highlight.
    mutating func fill(y: Int, from x: Int = 0, width span: Int? = nil, style: CellStyle) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (span ?? width))
        for column in max(0, x)..<max(max(0, x), end) {
            self[column, y] = Cell(character: " ", style: style)
        }
    }

    /// Changes the style of a row segment without touching its characters.
    mutating func restyle(y: Int, from x: Int = 0, width span: Int? = nil, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (span ?? width))
        for column in max(0, x)..<max(max(0, x), end) {
            change(&self[column, y].style)
        }
    }

    /// The characters, one line per row, trailing spaces trimmed.
    var text: String {
        (0..<height).map { row in
            var line = String(cells[(row * width)..<(row * width + width)].map(\.character))
            while line.last?.isWhitespace == true { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// What a terminal showing `previous` must write to show this screen: runs of the cells that differ, row
    /// by row. Without a previous frame, or when the size changed, it is ``ScreenChange/clear`` followed by
    /// every row.
    func diff(from previous: Screen?) -> [ScreenChange] {
        guard let previous, previous.width == width, previous.height == height else {
            return [.clear] + (0..<height).compactMap { row in
                width > 0 ? .run(x: 0, y: row, cells: Array(cells[(row * width)..<(row * width + width)])) : nil
            }
        }
        var changes: [ScreenChange] = []
        for row in 0..<height {
            var column = 0
            while column < width {
                guard self[column, row] != previous[column, row] else {
                    column += 1
                    continue
                }
                let start = column
                while column < width && self[column, row] != previous[column, row] { column += 1 }
                changes.append(.run(x: start, y: row, cells: Array(cells[(row * width + start)..<(row * width + column)])))
            }
        }
        return changes
    }

    /// The styles, one line per row: `.` plain, `G`/`Y`/`R`/`C`/`B` colours, `d` dim, `b` bold, `r` reverse
    /// (colour wins over attributes). For readable colour snapshots.
    var styleMap: String {
        (0..<height).map { row in
            String(cells[(row * width)..<(row * width + width)].map { cell -> Character in
                switch cell.style.color {
                case .green: return "G"
                case .yellow: return "Y"
                case .red: return "R"
                case .cyan: return "C"
                case .blue: return "B"
                case .standard:
                    if cell.style.reverse { return "r" }
                    if cell.style.dim { return "d" }
                    if cell.style.bold { return "b" }
                    return "."
                }
            })
        }.joined(separator: "\n")
    }
}
