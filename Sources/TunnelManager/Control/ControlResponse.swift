/// A reply (or, after `subscribe`, an update) on the control socket. On the wire it is one JSON object per
/// line, `{"version":1,"ok":true,"instance":{...},"tunnels":[...]}`, with `"ok":false,"error":"..."` for a
/// failure and `"reload":{...}` after a reload.
public enum ControlResponse: Sendable, Hashable {
    /// Every tunnel (`status`, actions, updates), or the one asked for (`log`), and who answers.
    case tunnels([TunnelStatus], instance: ControlInstance)
    /// A reload was applied: what it changed, every tunnel afterwards, and who answers.
    case reloaded(ReloadSummary, tunnels: [TunnelStatus], instance: ControlInstance)
    /// The request was not carried out: what went wrong and what to do.
    case failure(String)

    /// Whether the request was carried out.
    public var ok: Bool {
        if case .failure = self { return false }
        return true
    }

    /// What went wrong, for a failure.
    public var error: String? {
        if case .failure(let message) = self { return message }
        return nil
    }

    /// Who answered (absent from failures).
    public var instance: ControlInstance? {
        switch self {
        case .tunnels(_, let instance), .reloaded(_, _, let instance): instance
        case .failure: nil
        }
    }

    /// The tunnels of a successful reply.
    public var tunnels: [TunnelStatus]? {
        switch self {
        case .tunnels(let tunnels, _), .reloaded(_, let tunnels, _): tunnels
        case .failure: nil
        }
    }

    /// What a reload changed.
    public var reload: ReloadSummary? {
        if case .reloaded(let summary, _, _) = self { return summary }
        return nil
    }
}

extension ControlResponse: Codable {
    private enum Key: String, CodingKey {
        case version, ok, error, instance, tunnels, reload
    }

    /// Decodes a reply line; one of another protocol version throws ``ControlProtocolError/unsupportedVersion(_:)``
    /// (the client turns that into ``ControlError/versionMismatch(path:theirs:instance:)``).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == ControlProtocol.version else { throw ControlProtocolError.unsupportedVersion(version) }
        guard try container.decode(Bool.self, forKey: .ok) else {
            self = .failure(try container.decodeIfPresent(String.self, forKey: .error) ?? "refused")
            return
        }
        let instance = try container.decode(ControlInstance.self, forKey: .instance)
        let tunnels = try container.decodeIfPresent([TunnelStatus].self, forKey: .tunnels) ?? []
        if let summary = try container.decodeIfPresent(ReloadSummary.self, forKey: .reload) {
            self = .reloaded(summary, tunnels: tunnels, instance: instance)
        } else {
            self = .tunnels(tunnels, instance: instance)
        }
    }

    /// Encodes the reply as its wire object, in the current protocol version.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(ControlProtocol.version, forKey: .version)
        try container.encode(ok, forKey: .ok)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(instance, forKey: .instance)
        try container.encodeIfPresent(tunnels, forKey: .tunnels)
        try container.encodeIfPresent(reload, forKey: .reload)
    }
}
