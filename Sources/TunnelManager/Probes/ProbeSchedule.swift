/// When a tunnel's next probe runs: on a grid of `probe_interval` shared by the tunnels with that interval,
/// in one of a few groups, so that the probes of many tunnels run together but not all at once.
///
/// Probes spread at random over the interval each woke the supervisor's threads on their own; run in
/// groups, one wake-up serves a group. Measured with 50 tunnels: 0.30 CPU s per minute spread at random,
/// 0.10 all together, 0.14 in five groups (`sudo Benchmarks/resilience.py --idle 50`). All together, 100
/// probes at once also queued behind each other at the server and the local services (latencies of 1 ms
/// read 20-50 ms), which is why there are groups. A tunnel's consecutive probes stay between half an
/// interval and one and a half apart.
public enum ProbeSchedule {
    /// How many groups the tunnels are dealt into (by their place in the config).
    public static let groups = 5

    /// The first point of the group's grid at least half an interval after `now` (counted from the clock's
    /// epoch); group `g` probes `g / groups` of an interval after the grid of group 0.
    public static func next(after now: Duration, interval: Duration, group: Int = 0) -> Duration {
        let step = nanoseconds(interval)
        guard step > 0 else { return now }
        let offset = step * Int64(group % groups) / Int64(groups)
        let earliest = nanoseconds(now) + step / 2 - offset
        let slots = max(0, (earliest + step - 1) / step)
        return .nanoseconds(slots * step + offset)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
