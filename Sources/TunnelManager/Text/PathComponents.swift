/// File path arithmetic on strings, as `NSString`'s path methods do it (which live in Foundation, not in
/// FoundationEssentials): no file system access, no resolution against the working directory.
public enum PathComponents {
    /// The path without its last component: `/run/x/control.sock` gives `/run/x`, `/control.sock` gives
    /// `/`, a bare `control.sock` gives an empty string. Trailing slashes are ignored.
    public static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        var parent = trimmed[..<slash]
        while parent.count > 1 && parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }

    /// The last component: `/usr/bin/ssh` gives `ssh`. Trailing slashes are ignored.
    public static func last(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed.count > 1 else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
