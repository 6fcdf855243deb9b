import Testing
@testable import TunnelManager

@Suite("probe schedule")
struct ProbeScheduleTests {
    @Test("the next probe is the first grid point at least half an interval away", arguments: [
        (Duration.milliseconds(0), Duration.seconds(5), Duration.seconds(5)),
        (.milliseconds(2_400), .seconds(5), .seconds(5)),
        (.milliseconds(2_600), .seconds(5), .seconds(10)),
        (.milliseconds(7_300), .seconds(5), .seconds(10)),
        (.milliseconds(1_234), .milliseconds(500), .milliseconds(1_500)),
    ])
    func nextGridPoint(now: Duration, interval: Duration, next: Duration) {
        #expect(ProbeSchedule.next(after: now, interval: interval) == next)
    }

    @Test("tunnels whose probes ended at different moments probe next at the same moment")
    func tunnelsAlign() {
        let nexts = Set([3_000, 3_100, 4_200, 7_000].map { ProbeSchedule.next(after: .milliseconds($0), interval: .seconds(5)) })
        #expect(nexts == [.seconds(10)])
    }

    @Test("a tunnel's probes stay between half an interval and one and a half apart, in every group")
    func spacing() {
        for group in 0..<(ProbeSchedule.groups + 2) {
            for millisecond in stride(from: 0, to: 20_000, by: 137) {
                let now = Duration.milliseconds(millisecond)
                let gap = ProbeSchedule.next(after: now, interval: .seconds(5), group: group) - now
                #expect(gap >= .milliseconds(2_500) && gap <= .milliseconds(7_500), "gap \(gap) after \(now), group \(group)")
            }
        }
    }

    @Test("the groups probe at different moments, a fifth of an interval apart")
    func groupsSpread() {
        let moments = (0..<ProbeSchedule.groups).map { ProbeSchedule.next(after: .seconds(3), interval: .seconds(5), group: $0) }
        #expect(moments == [.seconds(10), .seconds(6), .seconds(7), .seconds(8), .seconds(9)])
        #expect(ProbeSchedule.next(after: .seconds(3), interval: .seconds(5), group: ProbeSchedule.groups + 1) == .seconds(6))
    }
}
