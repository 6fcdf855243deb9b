import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Spawns children with `posix_spawn`: own session (no controlling tty, so Ctrl-C in the dashboard does not
/// reach ssh), signals back to their defaults, stdin from /dev/null, stdout and stderr in one pipe read by
/// ``ChildOutputPump``; SIGTERM to the child's process group on cancellation, SIGKILL after a grace.
///
/// Why not swift-subprocess (which this project used first): its `run` keeps, for every running child, a
/// task that wakes once a second to notice cancellation. With 50 tunnels that alone cost more than the
/// whole idle budget (0.3 CPU s per minute: each wake-up of a thread is about 50 µs here). Here a child
/// costs nothing while it is quiet: its exit is a pidfd the ``EventLoop`` polls.
///
/// Each child gets the parent-death signal SIGKILL before it runs its program (`PR_SET_PDEATHSIG`, set by
/// the fork-and-exec in the CSpawn target), so an `ssh -R` dies with the supervisor even if the supervisor
/// is SIGKILLed (an orphan would keep holding the remote port); right after setting it the child checks that
/// its parent is still the supervisor, which closes the window of a supervisor killed while spawning. The
/// kernel ties that signal to the thread that spawned the child, so children are spawned on the event
/// loop's thread, which lives as long as the process.
public struct SpawnLauncher: ChildLauncher {
    /// Time between SIGTERM and SIGKILL.
    public var terminationGrace: Duration
    /// The signal a child receives when the supervisor dies (0: none).
    public var parentDeathSignal: Int32 = SIGKILL
    /// The process a child must still have as its parent once the parent-death signal is set; tests set
    /// another to act out a supervisor that died while spawning.
    var expectedParent: pid_t = getpid()
    /// Whether exits are watched through pidfds (false: the fallback for systems without pidfd_open,
    /// polling four times a second; tests use it to exercise that path).
    var usePidfd = true

    /// Creates a launcher.
    public init(terminationGrace: Duration = .seconds(2)) {
        self.terminationGrace = terminationGrace
    }

    /// Finds `program` on PATH unless it contains a slash; nil when it cannot be run.
    public static func resolve(program: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs the child; see ``ChildLauncher/run(program:arguments:skipping:onOutput:)``.
    public func run(
        program: String, arguments: [String], skipping: @escaping @Sendable (String) -> Bool,
        onOutput: @escaping @Sendable (ChildOutput) async -> Void
    ) async -> ChildExit {
        guard let executable = Self.resolve(program: program) else {
            return .launchFailed("\(program) not found or not executable")
        }
        guard let (readEnd, writeEnd) = EventLoop.makePipe() else {
            return .launchFailed("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        let (usePidfd, parentDeathSignal, expectedParent) = (usePidfd, parentDeathSignal, expectedParent)
        let spawned = await EventLoop.shared.perform {
            ChildProcess.spawn(
                path: executable, argv: [executable] + arguments, output: writeEnd, parentDeathSignal: parentDeathSignal,
                expectedParent: expectedParent, usePidfd: usePidfd)
        }
        close(writeEnd)
        let child: ChildProcess
        switch spawned {
        case .failure(let reason):
            close(readEnd)
            return .launchFailed(reason.description)
        case .success(let started):
            child = started
        }
        await onOutput(.started(pid: child.pid))
        let grace = terminationGrace
        return await withTaskCancellationHandler {
            await withTaskGroup(of: ChildExit?.self) { group in
                group.addTask {
                    for await line in ChildOutputPump.lines(of: readEnd, skipping: skipping) {
                        await onOutput(.line(line))
                    }
                    return nil
                }
                let exit = await child.exit()
                // The pipe ends with the child; if something it started still holds it, stop reading soon.
                let drained = ContinuousClock.now + .seconds(1)
                group.addTask {
                    try? await EventLoop.shared.sleep(until: drained)
                    return exit
                }
                _ = await group.next()
                group.cancelAll()
                return exit
            }
        } onCancel: {
            child.terminate(grace: grace)
        }
    }
}
