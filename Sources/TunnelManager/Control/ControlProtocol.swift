/// Constants of the control protocol.
public enum ControlProtocol {
    /// Bumped on incompatible changes; a server answers requests of another version with an error, and a
    /// client refuses replies of another version (``ControlError/versionMismatch(path:theirs:instance:)``).
    public static let version = 1
    /// Longest request line accepted.
    public static let maximumRequestBytes = 64 * 1024
    /// The commands a server understands, as spelled on the wire.
    public static var commands: [String] { ControlCommand.allCases.map(\.rawValue) }
}
