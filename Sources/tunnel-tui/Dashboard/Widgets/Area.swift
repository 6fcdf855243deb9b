/// A rectangle of the screen that a widget draws into.
struct Area: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    var bottom: Int { y + height }
}
