/// How a cell looks: a colour and attributes. Colour only adds to words and symbols, never replaces them.
struct CellStyle: Hashable, Sendable {
    /// Foreground colours the dashboard uses.
    enum Color: Hashable, Sendable {
        case standard, green, yellow, red, cyan, blue
    }

    var color: Color = .standard
    var bold = false
    var dim = false
    var reverse = false

    static let plain = CellStyle()
    static let bold = CellStyle(bold: true)
    static let dim = CellStyle(dim: true)
    static let reverse = CellStyle(reverse: true)

    /// The same style in another colour.
    func colored(_ color: Color) -> CellStyle {
        var copy = self
        copy.color = color
        return copy
    }

    /// The same style, reversed (the selected row).
    var reversed: CellStyle {
        var copy = self
        copy.reverse = true
        return copy
    }
}
