import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The private directory (mode 0700, one per manager) holding the control sockets of the shared ssh
/// connections: in the instance's runtime directory, next to its control socket, never in `~/.ssh`.
///
/// A socket path must fit `sun_path` (108 bytes) with the 17 characters ssh appends while it binds, so a
/// runtime directory with a long path falls back to `/tmp`, where the directory is just as private.
public struct ConnectionDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Why the directory could not be made, and what to do.
    public struct Failure: Error, CustomStringConvertible {
        /// What happened and what to do.
        public let description: String
    }

    /// Makes a fresh private directory under `runtimeDirectory` (created 0700 when missing and checked like
    /// the control socket's), or under `/tmp` when that path is too long for a socket.
    public static func make(in runtimeDirectory: String) throws(Failure) -> ConnectionDirectory {
        var base = runtimeDirectory
        if base.utf8.count > 60 { base = "/tmp" }
        if base != "/tmp" {
            do {
                try ControlSocketDirectory.prepare(directory: base)
            } catch {
                base = "/tmp"
            }
        }
        var template = Array("\(base)/ssh.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let start = buffer.baseAddress else { return false }
            return mkdtemp(start) != nil
        }
        guard made else {
            throw Failure(description: "cannot create a directory for the shared ssh connections' control sockets in \(base): "
                + "\(String(cString: strerror(errno))); tunnels use one ssh each until it can (check the runtime directory's permissions)")
        }
        return ConnectionDirectory(path: String(cString: template))
    }

    /// The control socket path of connection `label`.
    public func socketPath(for label: String) -> String {
        "\(path)/\(label)"
    }

    /// Removes what ssh left (sockets of masters killed hard) and the directory.
    public func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
