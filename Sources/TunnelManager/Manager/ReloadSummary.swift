/// What a reload changed.
public struct ReloadSummary: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Tunnels new in the file: started (when autostart).
    public var added: [String] = []
    /// Tunnels gone from the file: stopped and dropped.
    public var removed: [String] = []
    /// Tunnels whose settings changed: restarted with the new ones.
    public var changed: [String] = []
    /// Tunnels left running as they were, counters kept.
    public var unchanged: [String] = []

    /// Creates an empty summary.
    public init() {}

    /// `added a, b; removed c; changed d; 3 unchanged`.
    public var description: String {
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !changed.isEmpty { parts.append("changed \(changed.joined(separator: ", "))") }
        parts.append("\(unchanged.count) unchanged")
        return parts.joined(separator: "; ")
    }
}
