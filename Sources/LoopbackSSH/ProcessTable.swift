import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Reads Linux's `/proc` for parent/child relations and command lines.
public enum ProcessTable {
    /// Every live pid with its parent pid.
    public static func parents() -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return result }
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { result[pid] = parent }
        }
        return result
    }

    /// All descendants of `pid` (children, their children, ...).
    public static func descendants(of pid: Int32) -> [Int32] {
        let table = parents()
        var found: [Int32] = []
        var frontier = [pid]
        while let current = frontier.popLast() {
            let children = table.filter { $0.value == current }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }

    /// The command line of `pid` as its arguments, or nil when it is gone.
    public static func arguments(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `pid` is alive and not a zombie.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let state = state(of: pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// The state letter of `pid` in `/proc/PID/stat` (`R`, `S`, `T` stopped, `Z`...), or nil when it is gone.
    public static func state(of pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }
}
