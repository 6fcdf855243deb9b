import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Checks the directory a control socket lives in before anyone serves or uses it, as ssh checks `~/.ssh`:
/// whoever can replace the socket can answer `status` and `stop --all` in our name.
///
/// The directory must be owned by this user or root and writable by neither group nor others. A directory of
/// another user is accepted only when its parent is root's and writable by root only (as `/run` is, for a
/// `RuntimeDirectory` systemd made for a service user): only root could have made it. Every directory above
/// must be owned by root or this user and, when others may write to it, sticky (as `/tmp` is), so nobody else
/// can rename ours away. Symlinks on the way must be root's or ours.
public enum ControlSocketDirectory {
    /// Throws ``ControlError/unsafeDirectory(path:reason:)`` unless the directory holding `socketPath` is safe.
    public static func check(socketPath: String, uid: uid_t = getuid()) throws(ControlError) {
        let directory = PathComponents.parent(of: socketPath)
        try check(directory: directory.isEmpty ? "." : directory, uid: uid)
    }

    /// Throws unless `directory` (which must exist) is safe for a control socket of `uid`.
    public static func check(directory: String, uid: uid_t = getuid()) throws(ControlError) {
        try checkLinks(on: directory, uid: uid)
        guard let resolved = realpath(directory, nil) else {
            throw .unsafeDirectory(path: directory, reason: "cannot resolve it: \(String(cString: strerror(errno)))")
        }
        let real = String(cString: resolved)
        free(resolved)
        let components = real.split(separator: "/").map(String.init)
        var ancestors = ["/"]
        for component in components.dropLast() {
            ancestors.append((ancestors.last == "/" ? "" : ancestors.last ?? "") + "/" + component)
        }
        if components.isEmpty { ancestors = [] }
        for ancestor in ancestors {
            let info = try status(of: ancestor, reported: directory)
            guard info.st_uid == 0 || info.st_uid == uid else {
                throw .unsafeDirectory(path: directory, reason: "\(ancestor) above it is owned by uid \(info.st_uid), who could replace it")
            }
            guard info.st_mode & 0o022 == 0 || info.st_mode & 0o1000 != 0 else {
                throw .unsafeDirectory(path: directory, reason: "\(ancestor) above it is writable by group or others without the sticky bit")
            }
        }
        let info = try status(of: real, reported: directory)
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .unsafeDirectory(path: directory, reason: "it is not a directory")
        }
        if info.st_uid != 0 && info.st_uid != uid {
            // Another user's directory is trusted only where only root could have created it (e.g. /run/tunnel-tui).
            let parent = try status(of: ancestors.last ?? "/", reported: directory)
            guard parent.st_uid == 0, parent.st_mode & 0o022 == 0 else {
                throw .unsafeDirectory(path: directory, reason: "owned by uid \(info.st_uid), not by you")
            }
        }
        guard info.st_mode & 0o022 == 0 else {
            throw .unsafeDirectory(path: directory, reason: "mode \(Self.octal(info.st_mode & 0o7777)) lets group or others replace the socket")
        }
    }

    /// Creates `directory` (0700) if it is missing, after checking the directory that will hold it.
    static func prepare(directory: String, uid: uid_t = getuid()) throws(ControlError) {
        var info = stat()
        if lstat(directory, &info) != 0 && errno == ENOENT {
            let parent = PathComponents.parent(of: directory)
            try checkAncestor(parent.isEmpty ? "." : parent, for: directory, uid: uid)
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw .system("cannot create \(directory): \(String(cString: strerror(errno))); create it (mode 0700) or pass --socket")
            }
        }
        try check(directory: directory, uid: uid)
    }

    /// The directory that will hold a new socket directory must itself be a safe place (as an ancestor is).
    private static func checkAncestor(_ parent: String, for directory: String, uid: uid_t) throws(ControlError) {
        let info = try status(of: parent, reported: directory)
        guard info.st_uid == 0 || info.st_uid == uid, info.st_mode & 0o022 == 0 || info.st_mode & 0o1000 != 0 else {
            throw .unsafeDirectory(path: directory, reason: "\(parent), where it would be created, can be written by another user")
        }
    }

    /// Symlinks in the path as written must be root's or ours (their target is checked through realpath).
    private static func checkLinks(on directory: String, uid: uid_t) throws(ControlError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return }
            if info.st_mode & S_IFMT == S_IFLNK && info.st_uid != 0 && info.st_uid != uid {
                throw .unsafeDirectory(path: directory, reason: "the symlink \(prefix) is owned by uid \(info.st_uid)")
            }
        }
    }

    private static func status(of path: String, reported: String) throws(ControlError) -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unsafeDirectory(path: reported, reason: "cannot check \(path): \(String(cString: strerror(errno)))")
        }
        return info
    }

    /// A file mode in four octal digits, as `ls` and `chmod` write it (`0750`).
    static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
