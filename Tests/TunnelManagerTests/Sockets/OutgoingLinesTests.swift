import Testing
@testable import TunnelManager

@Suite("outgoing lines of a socket client")
struct OutgoingLinesTests {
    /// Drains the queue in writes of at most `size` bytes.
    private func drain(_ queue: inout OutgoingLines, size: Int) -> [UInt8] {
        var sent: [UInt8] = []
        while true {
            let chunk = queue.next().prefix(size)
            if chunk.isEmpty { return sent }
            sent += chunk
            queue.consume(chunk.count)
        }
    }

    @Test("a line that started going out is finished before a newer snapshot, which replaces the queued one")
    func newestSnapshotWithoutHalfLines() {
        var queue = OutgoingLines()
        queue.replaceLatest(Array("first\n".utf8))
        let started = queue.next().prefix(3)
        queue.consume(started.count)  // "fir" is out: the rest of that line must follow
        queue.replaceLatest(Array("second\n".utf8))
        queue.replaceLatest(Array("third\n".utf8))
        #expect(String(decoding: started + drain(&queue, size: 2), as: UTF8.self) == "first\nthird\n")
        #expect(queue.isEmpty)
    }

    @Test("replies are never dropped and keep their order; the snapshot comes after them")
    func repliesInOrder() {
        var queue = OutgoingLines()
        queue.replaceLatest(Array("snap1\n".utf8))
        queue.append(Array("reply1\n".utf8))
        queue.append(Array("reply2\n".utf8))
        queue.replaceLatest(Array("snap2\n".utf8))
        #expect(queue.count == 20)
        #expect(String(decoding: drain(&queue, size: 5), as: UTF8.self) == "reply1\nreply2\nsnap2\n")
    }
}
