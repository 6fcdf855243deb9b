/// A cleared rectangle with a border and a title, for overlays.
struct Box: Widget {
    let title: String
    let unicode: Bool

    func render(into screen: inout Screen, area: Area) {
        guard area.width >= 2, area.height >= 2 else { return }
        let (horizontal, vertical, corners): (Character, Character, [Character]) = unicode
            ? ("─", "│", ["┌", "┐", "└", "┘"]) : ("-", "|", ["+", "+", "+", "+"])
        for y in area.y..<area.bottom {
            screen.fill(y: y, from: area.x, width: area.width, style: .plain)
            screen.put(String(vertical), x: area.x, y: y)
            screen.put(String(vertical), x: area.x + area.width - 1, y: y)
        }
        let line = String(repeating: horizontal, count: area.width - 2)
        screen.put(String(corners[0]) + line + String(corners[1]), x: area.x, y: area.y)
        screen.put(String(corners[2]) + line + String(corners[3]), x: area.x, y: area.bottom - 1)
        screen.put(title, x: area.x + 2, y: area.y, style: .bold, maxWidth: area.width - 4)
    }
}
