/// How a tunnel's ends are checked.
public enum ProbeKind: String, Sendable, Codable, CaseIterable {
    /// A TCP connect. Cannot see a half-open tunnel: the server keeps accepting on the port.
    case tcp
    /// Connect and read until the expected prefix arrives (`SSH-` for an ssh service).
    case banner
    /// `GET http_path`; any status below 500 passes.
    case http
    /// No probe: the tunnel is up once ssh reports the forward established.
    case none
}
