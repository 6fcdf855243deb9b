import Synchronization
import TunnelManager

/// A stand-in for ssh: each run prints `lines` and exits with `exit` at once, and counts its runs.
public final class ScriptedLauncher: ChildLauncher {
    private let lines: [String]
    private let exit: ChildExit
    private let runs = Mutex(0)
    private let sshCount = Mutex(0)

    /// A launcher whose every tunnel run prints `lines` and ends with `exit`; `ssh -G` lookups fail (255).
    public init(lines: [String], exit: ChildExit) {
        self.lines = lines
        self.exit = exit
    }

    /// Every run so far, lookups included.
    public var runCount: Int { runs.withLock { $0 } }
    /// Runs that were tunnels (not `ssh -G` lookups).
    public var sshRuns: Int { sshCount.withLock { $0 } }

    /// Reports a pid, then the scripted lines, and returns the scripted exit.
    public func run(
        program: String, arguments: [String], skipping: @escaping @Sendable (String) -> Bool,
        onOutput: @escaping @Sendable (ChildOutput) async -> Void
    ) async -> ChildExit {
        let pid = runs.withLock { count -> Int32 in
            count += 1
            return Int32(1000 + count)
        }
        await onOutput(.started(pid: pid))
        if arguments.first == "-G" { return .exited(255) }
        sshCount.withLock { $0 += 1 }
        for line in lines where !skipping(line) { await onOutput(.line(line)) }
        return exit
    }
}
