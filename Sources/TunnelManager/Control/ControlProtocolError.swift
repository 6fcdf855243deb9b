/// Why a request line is not a request this instance carries out; the server answers it with this
/// description and keeps the connection open for the next line.
public enum ControlProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not one JSON object with a `version` and a `command`.
    case malformed
    /// A client of another protocol version.
    case unsupportedVersion(Int)
    /// A command this version does not know.
    case unknownCommand(String)
    /// A command that needs a tunnel name came without one.
    case missingTunnel(ControlCommand)

    /// What was wrong and what to send instead.
    public var description: String {
        switch self {
        case .malformed:
            "malformed request: expected one JSON object per line, e.g. {\"version\":\(ControlProtocol.version),\"command\":\"status\"}"
        case .unsupportedVersion(let version):
            "protocol version \(version) not supported (this instance speaks \(ControlProtocol.version)); "
                + "use the tunnel-tui binary of the running instance's version"
        case .unknownCommand(let command):
            "unknown command \"\(TerminalText.sanitize(command))\"; known: \(ControlProtocol.commands.joined(separator: ", "))"
        case .missingTunnel(let command):
            "\(command.rawValue) needs a tunnel name (\"name\":\"...\")"
        }
    }
}
