/// What was built: the one place the version lives (`--version`, `status --json`, the control socket's
/// instance, the `tunnel_build_info` metric and the package's file name all read it).
public enum BuildInfo {
    /// The release version, `MAJOR.MINOR.PATCH`.
    public static let version = "0.9.0"
}
