/// Something worth telling the user: tunnels went down, came back, flap, or need the user (`failed`).
///
/// One event may name several tunnels: a server outage that takes them all down is one event.
public struct AlertEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Not up for `alert_after`.
        case down
        /// Back up after a `down` (or `failed`, or `flapping`) that was sent.
        case up
        /// Went down and up `flapping_count` times within `flapping_window`; quiet until it settles.
        case flapping
        /// Not up for `alert_after` with a cause that needs the user (a refused key, a changed host key).
        case failed
        /// Sent by `tunnel-tui alert test`.
        case test
    }

    /// One tunnel of the event.
    public struct Tunnel: Sendable, Hashable, Codable {
        /// Its name.
        public var name: String
        /// Its state now.
        public var state: TunnelState
        /// Its state before this event's change (the state it was in before it went down, or before it came up).
        public var previousState: TunnelState?
        /// Why it is not up, in words.
        public var cause: String?
        /// What to do about the cause.
        public var hint: String?
        /// How long it has been (down) or was (up) not up, in seconds.
        public var downSeconds: Double?
        /// Its ssh destination.
        public var server: String
        /// `serverHost:remotePort`.
        public var remote: String
        /// Where its public end is probed.
        public var publicEndpoint: String

        /// Creates one tunnel of an event.
        public init(
            name: String, state: TunnelState, previousState: TunnelState?, cause: String?, hint: String?,
            downSeconds: Double?, server: String, remote: String, publicEndpoint: String
        ) {
            self.name = name
            self.state = state
            self.previousState = previousState
            self.cause = cause
            self.hint = hint
            self.downSeconds = downSeconds
            self.server = server
            self.remote = remote
            self.publicEndpoint = publicEndpoint
        }

        enum CodingKeys: String, CodingKey {
            case name, state, cause, hint, server, remote
            case previousState = "previous_state"
            case downSeconds = "down_seconds"
            case publicEndpoint = "public"
        }
    }

    /// What happened.
    public var kind: Kind
    /// The tunnels concerned, in config order; more than one when a server took them down together.
    public var tunnels: [Tunnel]
    /// The hook that runs for it.
    public var command: [String]

    /// Creates an event.
    public init(kind: Kind, tunnels: [Tunnel], command: [String]) {
        self.kind = kind
        self.tunnels = tunnels
        self.command = command
    }

    /// The tunnel names, comma-separated.
    public var names: String { tunnels.map(\.name).joined(separator: ",") }

    /// The server shared by the tunnels (their first one's).
    public var server: String { tunnels.first?.server ?? "" }

    /// A one-line summary for logs: `down: web, ssh (server tunnel@vps: connection refused)`.
    public var summary: String {
        var text = "\(kind.rawValue): \(names)"
        if tunnels.count > 1 { text += " (server \(server))" }
        if let cause = Self.combined(tunnels.map { ($0.name, $0.cause) }) { text += ": \(cause)" }
        return text
    }

    /// The one value the tunnels share, or each tunnel's as `name: value; name: value`; nil when none has one.
    static func combined(_ values: [(name: String, value: String?)]) -> String? {
        let present = values.filter { $0.value != nil }
        guard !present.isEmpty else { return nil }
        let distinct = Set(values.map(\.value))
        if distinct.count == 1, let only = distinct.first, let value = only { return value }
        return present.map { "\($0.name): \($0.value ?? "")" }.joined(separator: "; ")
    }
}
