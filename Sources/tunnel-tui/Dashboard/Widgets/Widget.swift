/// Anything that draws itself into an area of a ``Screen``.
protocol Widget {
    func render(into screen: inout Screen, area: Area)
}
