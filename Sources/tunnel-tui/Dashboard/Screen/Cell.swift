/// One character cell of the screen.
struct Cell: Hashable, Sendable {
    var character: Character = " "
    var style: CellStyle = .plain
}
