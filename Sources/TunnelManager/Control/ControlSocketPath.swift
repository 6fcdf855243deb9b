import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Where the control socket lives: `$XDG_RUNTIME_DIR/tunnel-tui/control.sock`, or `/run/tunnel-tui/control.sock`
/// for root (and when no runtime directory is set). Clients also look at the system daemon's socket.
public enum ControlSocketPath {
    /// The packaged daemon's socket (systemd's `RuntimeDirectory=tunnel-tui`), shared with group `tunnel`.
    public static let system = "/run/tunnel-tui/control.sock"

    /// Where a client looks, in order: `$TUNNEL_TUI_SOCKET` alone when set; else this user's own socket, then
    /// the system daemon's, so a login user in group `tunnel` reaches the boot-started daemon with no flags.
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let own = Self.default(environment: environment)
        if let explicit = environment["TUNNEL_TUI_SOCKET"], !explicit.isEmpty { return [explicit] }
        return own == system ? [own] : [own, system]
    }

    /// The default path for this user and environment; `$TUNNEL_TUI_SOCKET` overrides it.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["TUNNEL_TUI_SOCKET"], !explicit.isEmpty { return explicit }
        if getuid() != 0, let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return "\(runtime)/tunnel-tui/control.sock"
        }
        if getuid() != 0 { return "/tmp/tunnel-tui-\(getuid())/control.sock" }
        return system
    }
}
