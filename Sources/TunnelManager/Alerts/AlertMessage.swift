import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// What a hook receives for one ``AlertEvent``: environment variables and one JSON object on its standard
/// input, with the same fields.
///
/// For an event naming several tunnels (a server outage), `TUNNEL_NAME` and `name` are the comma-separated
/// names, `TUNNEL_COUNT` their number, the state, cause and hint are the shared value or each tunnel's as
/// `name: value; name: value`, `TUNNEL_DOWN_SECONDS` the longest, and the JSON's `tunnels` array has each one.
public struct AlertMessage: Sendable, Hashable {
    /// The variables added to the hook's environment.
    public var environment: [String: String]
    /// The JSON object written to its standard input (UTF-8, one line, ending with a newline).
    public var json: [UInt8]

    /// The JSON document's shape.
    struct Document: Codable {
        var event: AlertEvent.Kind
        var name: String
        var count: Int
        var state: String
        var previousState: String?
        var cause: String?
        var hint: String?
        var downSeconds: Int?
        var server: String
        var remote: String
        var publicEndpoint: String
        var host: String
        var time: String
        var timestamp: Int64
        var message: String
        var tunnels: [AlertEvent.Tunnel]

        enum CodingKeys: String, CodingKey {
            case event, name, count, state, cause, hint, server, remote, host, time, timestamp, message, tunnels
            case previousState = "previous_state"
            case downSeconds = "down_seconds"
            case publicEndpoint = "public"
        }
    }

    /// The message for `event`, sent from `host` at `time` (seconds since 1970).
    public init(event: AlertEvent, host: String, time: Double) {
        let tunnels = event.tunnels.map { tunnel -> AlertEvent.Tunnel in
            var clean = tunnel
            clean.cause = tunnel.cause.map(TerminalText.sanitize)
            clean.hint = tunnel.hint.map(TerminalText.sanitize)
            return clean
        }
        let named = { (values: [String?]) in AlertEvent.combined(zip(tunnels.map(\.name), values).map { ($0, $1) }) }
        let downSeconds = tunnels.compactMap(\.downSeconds).max().map { Int($0.rounded()) }
        let document = Document(
            event: event.kind, name: event.names, count: tunnels.count,
            state: named(tunnels.map { $0.state.rawValue }) ?? "",
            previousState: named(tunnels.map { $0.previousState?.rawValue }),
            cause: named(tunnels.map(\.cause)), hint: named(tunnels.map(\.hint)), downSeconds: downSeconds,
            server: named(tunnels.map(\.server)) ?? "", remote: tunnels.map(\.remote).joined(separator: ","),
            publicEndpoint: tunnels.map(\.publicEndpoint).joined(separator: ","), host: TerminalText.sanitize(host),
            time: Self.iso8601(time), timestamp: Int64(time), message: "", tunnels: tunnels)
        var withMessage = document
        withMessage.message = Self.sentence(document)
        var environment: [String: String] = [
            "TUNNEL_EVENT": withMessage.event.rawValue,
            "TUNNEL_NAME": withMessage.name,
            "TUNNEL_TUNNELS": withMessage.name,
            "TUNNEL_COUNT": String(withMessage.count),
            "TUNNEL_STATE": withMessage.state,
            "TUNNEL_PREVIOUS_STATE": withMessage.previousState ?? "",
            "TUNNEL_CAUSE": withMessage.cause ?? "",
            "TUNNEL_HINT": withMessage.hint ?? "",
            "TUNNEL_DOWN_SECONDS": withMessage.downSeconds.map(String.init) ?? "",
            "TUNNEL_SERVER": withMessage.server,
            "TUNNEL_REMOTE": withMessage.remote,
            "TUNNEL_PUBLIC": withMessage.publicEndpoint,
            "TUNNEL_HOST": withMessage.host,
            "TUNNEL_TIME": withMessage.time,
            "TUNNEL_TIMESTAMP": String(withMessage.timestamp),
            "TUNNEL_MESSAGE": withMessage.message,
        ]
        // A value cannot hold NUL; nothing else is special in an environment.
        for (key, value) in environment where value.contains("\0") {
            environment[key] = String(value.filter { $0 != "\0" })
        }
        self.environment = environment
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.json = ((try? encoder.encode(withMessage)).map(Array.init) ?? Array("{}".utf8)) + [UInt8(ascii: "\n")]
    }

    /// `web on pi is down for 35 s: connection refused`, for a notification's text.
    static func sentence(_ document: Document) -> String {
        let what = document.count > 1 ? "\(document.count) tunnels of \(document.server) (\(document.name))" : document.name
        let verb = document.count > 1 ? "are" : "is"
        var text: String
        switch document.event {
        case .down: text = "\(what) on \(document.host) \(verb) down"
        case .failed: text = "\(what) on \(document.host) " + (document.count > 1 ? "have failed and need you" : "has failed and needs you")
        case .up: text = "\(what) on \(document.host) \(verb) up again"
        case .flapping: text = "\(what) on \(document.host) \(verb) flapping (down and up again and again)"
        case .test: text = "test alert from tunnel-tui on \(document.host) for \(what)"
        }
        if let seconds = document.downSeconds {
            text += document.event == .up ? " after \(seconds) s down" : " for \(seconds) s"
        }
        if document.event != .up, document.event != .test, let cause = document.cause { text += ": \(cause)" }
        if document.event != .up, document.event != .test, let hint = document.hint { text += " (\(hint))" }
        return text
    }

    /// `2026-11-26T12:00:00Z`.
    static func iso8601(_ time: Double) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
