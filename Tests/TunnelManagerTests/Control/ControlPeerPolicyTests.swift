import Foundation
import Testing
@testable import TunnelManager

/// Who may use the control socket, and where clients look for it.
@Suite("control socket: peers and paths")
struct ControlPeerPolicyTests {
    @Test("the owner and root are admitted; others only through the shared group, primary or supplementary")
    func peers() {
        let private_ = ControlPeerPolicy(owner: 998, sharedGroup: nil)
        #expect(private_.admits(uid: 998, gid: 998, groups: []))
        #expect(private_.admits(uid: 0, gid: 0, groups: []))
        #expect(!private_.admits(uid: 1000, gid: 998, groups: [998]), "no group is shared unless asked")
        let shared = ControlPeerPolicy(owner: 998, sharedGroup: 997)
        #expect(shared.admits(uid: 1000, gid: 1000, groups: [27, 997]), "a login user added to the group")
        #expect(shared.admits(uid: 1001, gid: 997, groups: []), "primary group")
        #expect(!shared.admits(uid: 1002, gid: 1002, groups: [27, 100]), "everybody else")
        #expect(shared.refusal.contains("members of group"))
    }

    @Test("clients try their own socket, then the system daemon's; TUNNEL_TUI_SOCKET alone when set")
    func candidates() {
        let user = ControlSocketPath.candidates(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"])
        if getuid() == 0 {
            #expect(user == ["/run/tunnel-tui/control.sock"])
        } else {
            #expect(user == ["/run/user/1000/tunnel-tui/control.sock", "/run/tunnel-tui/control.sock"])
        }
        #expect(ControlSocketPath.candidates(environment: ["TUNNEL_TUI_SOCKET": "/x/s.sock", "XDG_RUNTIME_DIR": "/r"]) == ["/x/s.sock"])
    }
}
