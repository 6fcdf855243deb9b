import Testing
@testable import TunnelManager

/// Change notes reach each subscriber as it asked: only its kinds, and no more unread notes than it keeps.
@Suite("manager: change notes")
struct ChangeBroadcasterTests {
    private static func read(_ stream: AsyncStream<TunnelChange>) async -> [TunnelChange] {
        var notes: [TunnelChange] = []
        for await note in stream { notes.append(note) }
        return notes
    }

    @Test("a subscriber of status notes is not handed log lines; one of both kinds gets every note in order")
    func kinds() async {
        var broadcaster = ChangeBroadcaster()
        let (_, statusOnly) = broadcaster.subscribe(kinds: [.status], keeping: 512)
        let (_, both) = broadcaster.subscribe(kinds: [.status, .log], keeping: 512)
        broadcaster.notify("web", .log)
        broadcaster.notify("web", .status)
        broadcaster.notify("ssh", .log)
        broadcaster.finish()
        #expect(await Self.read(statusOnly) == [TunnelChange(name: "web", kind: .status)])
        #expect(await Self.read(both) == [
            TunnelChange(name: "web", kind: .log), TunnelChange(name: "web", kind: .status), TunnelChange(name: "ssh", kind: .log),
        ])
    }

    @Test("a reader that keeps one note finds only the newest after a flood; one that keeps 512 finds the newest 512")
    func keeping() async {
        var broadcaster = ChangeBroadcaster()
        let (_, latest) = broadcaster.subscribe(kinds: [.log], keeping: 1)
        let (_, backlog) = broadcaster.subscribe(kinds: [.log], keeping: 512)
        for index in 0..<600 { broadcaster.notify("t\(index)", .log) }
        broadcaster.finish()
        #expect(await Self.read(latest) == [TunnelChange(name: "t599", kind: .log)])
        let kept = await Self.read(backlog)
        #expect(kept.count == 512)
        #expect(kept.first?.name == "t88" && kept.last?.name == "t599")
    }
}
