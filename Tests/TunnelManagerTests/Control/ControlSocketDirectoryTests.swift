import Foundation
import Testing
@testable import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

/// The control socket's directory is checked as ssh checks `~/.ssh`; these need root to hand directories to other uids.
@Suite("control socket directory", .enabled(if: getuid() == 0, "needs root to chown directories"))
struct ControlSocketDirectoryTests {
    /// A fresh root-owned 0700 directory under /tmp, removed afterwards.
    private func withScratch(_ body: (String) throws -> Void) throws {
        let base = "/tmp/tt-socketdir-\(UUID().uuidString)"
        mkdir(base, 0o700)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try body(base)
    }

    private func makeDirectory(_ path: String, mode: mode_t, owner: uid_t = 0) {
        mkdir(path, mode)
        chmod(path, mode)
        chown(path, owner, owner)
    }

    private func refusal(_ directory: String, uid: uid_t = getuid()) -> String? {
        do {
            try ControlSocketDirectory.check(directory: directory, uid: uid)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a private directory of this user (or root) is accepted")
    func ownPrivateDirectory() throws {
        try withScratch { base in
            makeDirectory("\(base)/mine", mode: 0o700, owner: 1001)
            #expect(refusal("\(base)/mine", uid: 1001) == nil)
            makeDirectory("\(base)/roots", mode: 0o755)
            #expect(refusal("\(base)/roots", uid: 1001) == nil)
        }
    }

    @Test("another user's directory in a world-writable parent (as /tmp/tunnel-tui-UID planted first) is refused, saying what to do")
    func plantedInTmp() throws {
        try withScratch { base in
            makeDirectory("\(base)/tmp", mode: 0o1777)
            makeDirectory("\(base)/tmp/tunnel-tui-1000", mode: 0o700, owner: 1001)
            let message = try #require(refusal("\(base)/tmp/tunnel-tui-1000", uid: 1000))
            #expect(message.contains("refusing \(base)/tmp/tunnel-tui-1000: owned by uid 1001, not by you"), "\(message)")
            #expect(message.contains("set XDG_RUNTIME_DIR or --socket"))
        }
    }

    @Test("a directory writable by group or others is refused, even one's own")
    func writableDirectory() throws {
        try withScratch { base in
            makeDirectory("\(base)/open", mode: 0o777, owner: 1000)
            #expect(refusal("\(base)/open", uid: 1000)?.contains("mode 0777 lets group or others replace the socket") == true)
            makeDirectory("\(base)/group", mode: 0o770, owner: 1000)
            #expect(refusal("\(base)/group", uid: 1000) != nil)
        }
    }

    @Test("a service user's directory that only root could have made (root-owned parent, as /run/tunnel-tui) is accepted for group members")
    func runtimeDirectoryOfServiceUser() throws {
        try withScratch { base in
            makeDirectory("\(base)/run", mode: 0o755)
            makeDirectory("\(base)/run/tunnel-tui", mode: 0o750, owner: 999)
            #expect(refusal("\(base)/run/tunnel-tui", uid: 1000) == nil)
            // The same directory under a parent the other user owns could have been swapped by them: refused.
            makeDirectory("\(base)/home", mode: 0o755, owner: 999)
            makeDirectory("\(base)/home/tunnel-tui", mode: 0o750, owner: 999)
            #expect(refusal("\(base)/home/tunnel-tui", uid: 1000)?.contains("above it is owned by uid 999") == true)
        }
    }

    @Test("an ancestor others may write to without the sticky bit is refused, and so is another user's symlink")
    func unsafeAncestors() throws {
        try withScratch { base in
            makeDirectory("\(base)/shared", mode: 0o777)
            makeDirectory("\(base)/shared/mine", mode: 0o700, owner: 1000)
            #expect(refusal("\(base)/shared/mine", uid: 1000)?.contains("writable by group or others without the sticky bit") == true)
            makeDirectory("\(base)/safe", mode: 0o700, owner: 1000)
            symlink("\(base)/safe", "\(base)/link")
            lchown("\(base)/link", 1001, 1001)
            #expect(refusal("\(base)/link", uid: 1000)?.contains("symlink \(base)/link is owned by uid 1001") == true)
        }
    }
}
