/// A y/n question in a box.
struct ConfirmOverlay: Widget {
    let action: ConfirmAction
    let unicode: Bool

    func render(into screen: inout Screen, area: Area) {
        let text = action.question + "  [y/n]"
        let width = min(area.width - 2, text.count + 6)
        let box = Area(x: area.x + (area.width - width) / 2, y: area.y + area.height / 2 - 2, width: width, height: 3)
        Box(title: " confirm ", unicode: unicode).render(into: &screen, area: box)
        screen.put(text, x: box.x + 3, y: box.y + 1, style: .bold, maxWidth: box.width - 4)
    }
}
