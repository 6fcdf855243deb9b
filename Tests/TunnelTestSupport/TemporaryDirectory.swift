import Foundation

/// A fresh directory under the system's temporary folder, removed with everything in it when released.
public final class TemporaryDirectory {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory.
    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tunnel-tui-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
