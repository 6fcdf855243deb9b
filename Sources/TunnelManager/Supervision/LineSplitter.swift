/// Cuts a child's output, read in buffers of any size, into lines.
///
/// A line may span buffers; `\n` ends it, a trailing `\r` is dropped, and a line longer than `maximumLength`
/// is cut there (a child that never prints a newline cannot grow the supervisor's memory).
struct LineSplitter {
    /// The longest line kept whole.
    let maximumLength: Int
    private var pending: [UInt8] = []

    /// Creates a splitter that cuts lines at `maximumLength` bytes.
    init(maximumLength: Int = 16 * 1024) {
        self.maximumLength = maximumLength
    }

    /// The lines the bytes complete, in order; the unfinished rest is kept for the next call.
    mutating func split(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(takeLine())
            } else {
                pending.append(byte)
                if pending.count >= maximumLength { lines.append(takeLine()) }
            }
        }
        return lines
    }

    /// The unfinished last line when the output ends, if there is one.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : takeLine()
    }

    private mutating func takeLine() -> String {
        while pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        defer { pending.removeAll(keepingCapacity: pending.count <= 1024) }
        return String(decoding: pending, as: UTF8.self)
    }
}
