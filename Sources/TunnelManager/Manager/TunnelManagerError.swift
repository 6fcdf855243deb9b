/// What the manager refuses to do.
public enum TunnelManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No tunnel has that name.
    case unknownTunnel(String, known: [String])

    /// Names the tunnel and lists the known ones.
    public var description: String {
        switch self {
        case .unknownTunnel(let name, let known):
            "no tunnel named \"\(name)\"; known tunnels: \(known.joined(separator: ", "))"
        }
    }
}
