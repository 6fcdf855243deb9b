import Synchronization
import TunnelManager

/// A stand-in for ssh: each run prints `lines` and exits with `exit` at once, and counts its runs.
final class ScriptedLauncher: ChildLauncher {
    private let lines: [String]
    private let exit: ChildExit
    private let runs = Mutex(0)

    init(lines: [String], exit: ChildExit) {
        self.lines = lines
        self.exit = exit
    }

    var runCount: Int { runs.withLock { $0 } }

    func run(program: String, arguments: [String], onOutput: @escaping @Sendable (ChildOutput) async -> Void) async -> ChildExit {
        let pid = runs.withLock { count -> Int32 in
            count += 1
            return Int32(1000 + count)
        }
        await onOutput(.started(pid: pid))
        for line in lines { await onOutput(.line(line)) }
        return exit
    }
}
