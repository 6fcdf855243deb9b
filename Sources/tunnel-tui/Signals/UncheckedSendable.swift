/// Hands a value that is not `Sendable` to another task once, when nothing else touches it afterwards
/// (the parsed command, from `main` to the task that runs it).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
