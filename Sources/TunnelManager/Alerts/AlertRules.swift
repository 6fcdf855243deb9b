/// When to tell the user about a tunnel, as a pure value: observations at explicit times in, alert events
/// out, and the next moment it needs to be asked again (``nextDeadline``). No clock, no processes.
///
/// The rules:
/// - a tunnel is reported `down` once it has been not up for its `alert_after` (`failed` when every tunnel
///   of the event is in `failed`, i.e. its cause needs the user), so a clean reconnect never alerts;
/// - tunnels of one server (with the same hook) whose `alert_after` runs out within ``groupWindow`` of each
///   other are one event naming them all; their `up` is one event too when they are back within that window;
/// - `up` follows only a `down`/`failed` that was sent, with how long the tunnel was not up;
/// - a tunnel that drops (up to not up) `flapping_count` times within `flapping_window` is reported once as
///   `flapping`, then is quiet until it settles: `up` after a whole window without a drop, or `down` once it
///   stays not up for `alert_after`;
/// - a tunnel that is reported `down` and then needs the user is reported once more as `failed`;
/// - stopped tunnels (stopped on purpose: by the user, a reload or shutdown) never alert and forget their
///   episode; tunnels with `alerts = false` or no hook are not tracked; a reload's own restarts do not count
///   as drops.
public struct AlertRules: Sendable {
    /// The settings in force.
    public private(set) var settings: AlertSettings
    /// How close in time `alert_after` deadlines (or returns) of one server's tunnels must be to share an event.
    public var groupWindow: Duration
    /// How long after a reload a changed tunnel's drop is taken as the reload's restart (not counted).
    public var reloadGrace: Duration

    private struct Track {
        var last: AlertObservation
        /// The state before the current not-up stretch began (nil: none seen).
        var stateBeforeDown: TunnelState?
        /// When the current not-up stretch began; nil while up or stopped.
        var notUpSince: Duration?
        /// What was sent for the current episode (down or failed), if anything.
        var reported: AlertEvent.Kind?
        /// When the reported episode began.
        var reportedSince: Duration?
        /// The event group the tunnel was reported down in.
        var group: Int?
        /// When a reported tunnel came back (its `up` not sent yet), and the state it came from.
        var backSince: Duration?
        var stateBeforeBack: TunnelState?
        /// Times it dropped from up, within the flapping window.
        var drops: [Duration] = []
        /// When `flapping` was sent (quiet until it settles).
        var flappingSince: Duration?
        /// Drops before this moment are a reload's restart.
        var reloadGraceUntil: Duration?
    }

    private var tracks: [String: Track] = [:]
    private var order: [String] = []
    private var nextGroup = 0

    /// Rules for `settings`.
    public init(settings: AlertSettings, groupWindow: Duration = .seconds(5), reloadGrace: Duration = .seconds(10)) {
        self.settings = settings
        self.groupWindow = groupWindow
        self.reloadGrace = reloadGrace
    }

    /// The tunnels whose episodes are being followed, in the order first seen.
    public var trackedNames: [String] { order.filter { tracks[$0] != nil } }

    // MARK: - Input

    /// Takes a tunnel's status at `now`; returns what must be sent at once (a `flapping`, a `failed`).
    /// Call ``due(now:)`` after a batch of observations for the time-based events.
    public mutating func observe(_ observation: AlertObservation, now: Duration) -> [AlertEvent] {
        let name = observation.name
        guard let command = settings.command(for: name) else {
            forget(name)
            return []
        }
        if !order.contains(name) { order.append(name) }
        var track = tracks[name] ?? Track(last: observation)
        let previous: TunnelState? = tracks[name] == nil ? nil : track.last.state
        track.last = observation
        var events: [AlertEvent] = []
        switch observation.state {
        case .stopped:
            track = Track(last: observation)
        case .up:
            if track.notUpSince != nil, track.reported != nil, track.backSince == nil {
                track.backSince = now
                track.stateBeforeBack = previous
            }
            track.notUpSince = nil
        case .connecting, .unreachable, .backoff, .failed:
            track.backSince = nil
            if track.notUpSince == nil {
                track.notUpSince = now
                if track.reported == nil { track.stateBeforeDown = previous }
                if previous == .up, !(track.reloadGraceUntil.map { now < $0 } ?? false) {
                    track.drops = track.drops.filter { $0 > now - settings.flappingWindow } + [now]
                    if track.flappingSince == nil, track.reported == nil, track.drops.count >= settings.flappingCount {
                        track.flappingSince = now
                        events.append(AlertEvent(kind: .flapping, tunnels: [
                            Self.tunnel(observation, previous: previous, downSeconds: nil),
                        ], command: command))
                    }
                }
            }
            if track.reported == .down, observation.state == .failed {
                track.reported = .failed
                events.append(AlertEvent(kind: .failed, tunnels: [
                    Self.tunnel(observation, previous: previous, downSeconds: track.reportedSince.map { (now - $0).seconds }),
                ], command: command))
            }
        }
        tracks[name] = track
        return events
    }

    /// Forgets a tunnel without an event (removed from the config, or its alerts turned off).
    public mutating func forget(_ name: String) {
        tracks[name] = nil
        order.removeAll { $0 == name }
    }

    /// Applies reloaded settings: removed tunnels are forgotten, and the restart of each changed tunnel is
    /// not counted as a drop. A reload sends nothing by itself.
    public mutating func reloaded(settings: AlertSettings, changed: [String], removed: [String], now: Duration) {
        self.settings = settings
        for name in removed { forget(name) }
        for name in order where settings.command(for: name) == nil { forget(name) }
        for name in changed {
            guard var track = tracks[name] else { continue }
            track.drops.removeAll { $0 >= now - reloadGrace }
            track.reloadGraceUntil = now + reloadGrace
            tracks[name] = track
        }
    }

    // MARK: - Time

    /// The earliest moment ``due(now:)`` may have something to send; nil when nothing is pending.
    public var nextDeadline: Duration? {
        var deadlines: [Duration] = []
        for name in order {
            guard let track = tracks[name] else { continue }
            if let since = track.notUpSince, track.reported == nil {
                deadlines.append(since + settings.alertAfter(for: name))
            }
            if let back = track.backSince { deadlines.append(back + groupWindow) }
            if let flapping = track.flappingSince, track.last.state == .up {
                deadlines.append((track.drops.last ?? flapping) + settings.flappingWindow)
            }
        }
        return deadlines.min()
    }

    /// The events whose time has come at `now`: downs past `alert_after` (grouped by server), returns, and
    /// flapping tunnels that settled.
    public mutating func due(now: Duration) -> [AlertEvent] {
        var events = downs(now: now)
        events += returns(now: now)
        events += settled(now: now)
        return events
    }

    private mutating func downs(now: Duration) -> [AlertEvent] {
        var events: [AlertEvent] = []
        var handled: Set<String> = []
        for name in order where !handled.contains(name) {
            guard let track = tracks[name], track.reported == nil, let since = track.notUpSince,
                  since + settings.alertAfter(for: name) <= now, let command = settings.command(for: name)
            else { continue }
            let members = order.filter { other in
                guard !handled.contains(other), let candidate = tracks[other], candidate.reported == nil,
                      let otherSince = candidate.notUpSince, candidate.last.server == track.last.server,
                      settings.command(for: other) == command
                else { return false }
                return otherSince + settings.alertAfter(for: other) <= now + groupWindow
            }
            let kind: AlertEvent.Kind = members.allSatisfy { tracks[$0]?.last.state == .failed } ? .failed : .down
            let group = nextGroup
            nextGroup += 1
            var tunnels: [AlertEvent.Tunnel] = []
            for member in members {
                guard var memberTrack = tracks[member], let memberSince = memberTrack.notUpSince else { continue }
                tunnels.append(Self.tunnel(memberTrack.last, previous: memberTrack.stateBeforeDown, downSeconds: (now - memberSince).seconds))
                memberTrack.reported = kind
                memberTrack.reportedSince = memberSince
                memberTrack.group = group
                memberTrack.flappingSince = nil
                memberTrack.drops = []
                tracks[member] = memberTrack
                handled.insert(member)
            }
            events.append(AlertEvent(kind: kind, tunnels: tunnels, command: command))
        }
        return events
    }

    private mutating func returns(now: Duration) -> [AlertEvent] {
        var events: [AlertEvent] = []
        var handledGroups: Set<Int> = []
        for name in order {
            guard let track = tracks[name], track.backSince != nil, let group = track.group, !handledGroups.contains(group)
            else { continue }
            handledGroups.insert(group)
            let reported = order.filter { tracks[$0]?.group == group && tracks[$0]?.reported != nil }
            let back = reported.filter { tracks[$0]?.backSince != nil }
            let firstBack = back.compactMap { tracks[$0]?.backSince }.min() ?? now
            guard back.count == reported.count || firstBack + groupWindow <= now else { continue }
            var tunnels: [AlertEvent.Tunnel] = []
            for member in back {
                guard var memberTrack = tracks[member], let backSince = memberTrack.backSince else { continue }
                let downSeconds = memberTrack.reportedSince.map { (backSince - $0).seconds }
                tunnels.append(Self.tunnel(memberTrack.last, previous: memberTrack.stateBeforeBack, downSeconds: downSeconds))
                memberTrack.reported = nil
                memberTrack.reportedSince = nil
                memberTrack.group = nil
                memberTrack.backSince = nil
                memberTrack.stateBeforeBack = nil
                tracks[member] = memberTrack
            }
            if let command = settings.command(for: name) {
                events.append(AlertEvent(kind: .up, tunnels: tunnels, command: command))
            }
        }
        return events
    }

    private mutating func settled(now: Duration) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for name in order {
            guard var track = tracks[name], let flapping = track.flappingSince, track.last.state == .up,
                  (track.drops.last ?? flapping) + settings.flappingWindow <= now, let command = settings.command(for: name)
            else { continue }
            track.flappingSince = nil
            track.drops = []
            tracks[name] = track
            events.append(AlertEvent(kind: .up, tunnels: [Self.tunnel(track.last, previous: nil, downSeconds: nil)], command: command))
        }
        return events
    }

    private static func tunnel(_ observation: AlertObservation, previous: TunnelState?, downSeconds: Double?) -> AlertEvent.Tunnel {
        AlertEvent.Tunnel(
            name: observation.name, state: observation.state, previousState: previous,
            cause: observation.state == .up ? nil : observation.cause, hint: observation.state == .up ? nil : observation.hint,
            downSeconds: downSeconds, server: observation.server, remote: observation.remote,
            publicEndpoint: observation.publicEndpoint)
    }
}
