import Foundation

/// Where the control socket lives: `$XDG_RUNTIME_DIR/tunnel-tui/control.sock`, or `/run/tunnel-tui/control.sock`
/// for root (and when no runtime directory is set).
public enum ControlSocketPath {
    /// The default path for this user and environment; `$TUNNEL_TUI_SOCKET` overrides it.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["TUNNEL_TUI_SOCKET"], !explicit.isEmpty { return explicit }
        if getuid() != 0, let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return "\(runtime)/tunnel-tui/control.sock"
        }
        if getuid() != 0 { return "/tmp/tunnel-tui-\(getuid())/control.sock" }
        return "/run/tunnel-tui/control.sock"
    }
}
