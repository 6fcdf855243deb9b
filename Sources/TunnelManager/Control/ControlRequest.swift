/// A request on the control socket. On the wire it is one JSON object per line,
/// `{"version":1,"command":"stop","name":"web"}`; decoding checks the version and the command and throws a
/// ``ControlProtocolError`` that says what was wrong.
public enum ControlRequest: Sendable, Hashable {
    /// Every tunnel's state.
    case status
    /// One tunnel's state with its whole kept log.
    case log(tunnel: String)
    /// Start one tunnel (or retry it now).
    case start(tunnel: String)
    /// Stop one tunnel.
    case stop(tunnel: String)
    /// Restart one tunnel's ssh.
    case restart(tunnel: String)
    /// Start every tunnel.
    case startAll
    /// Stop every tunnel.
    case stopAll
    /// Re-read the config file and apply the difference.
    case reload
    /// The current snapshot, then every change as a full snapshot, until the client closes.
    case subscribe

    /// The request's name on the wire.
    public var command: ControlCommand {
        switch self {
        case .status: .status
        case .log: .log
        case .start: .start
        case .stop: .stop
        case .restart: .restart
        case .startAll: .startAll
        case .stopAll: .stopAll
        case .reload: .reload
        case .subscribe: .subscribe
        }
    }

    /// The tunnel it names, if any.
    public var tunnel: String? {
        switch self {
        case .log(let tunnel), .start(let tunnel), .stop(let tunnel), .restart(let tunnel): tunnel
        case .status, .startAll, .stopAll, .reload, .subscribe: nil
        }
    }

    /// The request for `command`, with `tunnel` for the commands that name one; throws when one is needed and missing.
    public init(_ command: ControlCommand, tunnel: String? = nil) throws(ControlProtocolError) {
        func named() throws(ControlProtocolError) -> String {
            guard let tunnel, !tunnel.isEmpty else { throw .missingTunnel(command) }
            return tunnel
        }
        switch command {
        case .status: self = .status
        case .log: self = .log(tunnel: try named())
        case .start: self = .start(tunnel: try named())
        case .stop: self = .stop(tunnel: try named())
        case .restart: self = .restart(tunnel: try named())
        case .startAll: self = .startAll
        case .stopAll: self = .stopAll
        case .reload: self = .reload
        case .subscribe: self = .subscribe
        }
    }
}

extension ControlRequest: Codable {
    private enum Key: String, CodingKey {
        case version, command, name
    }

    /// Decodes a request line; a wrong version, an unknown command or a missing tunnel name throws a
    /// ``ControlProtocolError`` (malformed JSON throws the decoder's own error).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == ControlProtocol.version else { throw ControlProtocolError.unsupportedVersion(version) }
        let name = try container.decode(String.self, forKey: .command)
        guard let command = ControlCommand(rawValue: name) else { throw ControlProtocolError.unknownCommand(name) }
        try self.init(command, tunnel: try container.decodeIfPresent(String.self, forKey: .name))
    }

    /// Encodes the request as its wire object, in the current protocol version.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(ControlProtocol.version, forKey: .version)
        try container.encode(command, forKey: .command)
        try container.encodeIfPresent(tunnel, forKey: .name)
    }
}
