/// How ssh treats the server's host key.
public enum HostKeyPolicy: String, Sendable, Codable, CaseIterable {
    /// The key must already be in known_hosts (`StrictHostKeyChecking=yes`).
    case strict
    /// An unknown key is recorded on first use; a changed key is still refused (`StrictHostKeyChecking=accept-new`).
    case acceptNew = "accept-new"

    /// The value passed to ssh's `StrictHostKeyChecking`.
    var sshValue: String {
        switch self {
        case .strict: "yes"
        case .acceptNew: "accept-new"
        }
    }
}
