#if canImport(Glibc)
import Glibc
#endif

/// Who may talk to the control socket: its owner (the supervisor's uid), root, and, when the socket is
/// shared with a group (the packaged daemon shares it with `tunnel`), members of that group, primary or
/// supplementary. Everybody else is refused.
public struct ControlPeerPolicy: Sendable, Equatable {
    /// The supervisor's own uid.
    public let owner: uid_t
    /// The group whose members are admitted too, or nil.
    public let sharedGroup: gid_t?

    public init(owner: uid_t = getuid(), sharedGroup: gid_t? = nil) {
        self.owner = owner
        self.sharedGroup = sharedGroup
    }

    /// Whether a peer with these credentials may use the socket.
    public func admits(uid: uid_t, gid: gid_t, groups: [gid_t]) -> Bool {
        if uid == owner || uid == 0 { return true }
        guard let sharedGroup else { return false }
        return gid == sharedGroup || groups.contains(sharedGroup)
    }

    /// Whether the peer on a connected Unix socket may use it (SO_PEERCRED, SO_PEERGROUPS).
    func admits(_ descriptor: Int32) -> Bool {
        // struct ucred from <sys/socket.h> (needs _GNU_SOURCE, which the Glibc module does not set).
        struct PeerCredentials {
            var pid: Int32 = 0
            var uid: UInt32 = 0
            var gid: UInt32 = 0
        }
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return false }
        return admits(uid: credentials.uid, gid: credentials.gid, groups: sharedGroup == nil ? [] : Self.peerGroups(descriptor))
    }

    /// `SO_PEERGROUPS` (Linux 4.13+): the peer's supplementary groups when it connected.
    private static func peerGroups(_ descriptor: Int32) -> [gid_t] {
        let peerGroupsOption: Int32 = 59
        var groups = [gid_t](repeating: 0, count: 256)
        var length = socklen_t(groups.count * MemoryLayout<gid_t>.size)
        guard getsockopt(descriptor, SOL_SOCKET, peerGroupsOption, &groups, &length) == 0 else { return [] }
        return Array(groups.prefix(Int(length) / MemoryLayout<gid_t>.size))
    }

    /// The refusal a peer that is not admitted reads.
    var refusal: String {
        sharedGroup.map { "refused: the control socket serves only uid \(owner), root and members of group \(Self.groupName($0))" }
            ?? "refused: the control socket serves only uid \(owner) and root"
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid) else { return String(gid) }
        return String(cString: entry.pointee.gr_name)
    }
}
