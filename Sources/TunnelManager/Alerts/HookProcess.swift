import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Runs one hook command: no shell, extra environment variables, a document on its standard input, its own
/// session, and a time limit after which its process group gets SIGTERM, then SIGKILL after a grace.
///
/// The output is untrusted: every line is sanitised (``TerminalText/sanitize(_:)``), cut at
/// ``maximumLineLength`` characters, and only the first ``maximumLines`` are kept.
public enum HookProcess {
    /// Lines of output kept per run.
    public static let maximumLines = 20
    /// Characters kept per line.
    public static let maximumLineLength = 300

    /// How one run ended.
    public struct Outcome: Sendable, Hashable {
        /// The exit (a signal when it was killed).
        public var exit: ChildExit
        /// Whether it was killed at its time limit.
        public var timedOut: Bool
        /// Its output lines, sanitised.
        public var lines: [String]
        /// Lines beyond ``HookProcess/maximumLines`` that were dropped.
        public var droppedLines: Int
        /// How long it ran.
        public var duration: Duration

        /// Whether the hook did its job: exit status 0 within its time.
        public var succeeded: Bool { exit == .exited(0) && !timedOut }

        /// `exit status 0 after 0.1 s`, `killed after its 10s timeout`, `could not start: ...`.
        public var description: String {
            let seconds = String(Double(duration.milliseconds) / 1000)
            if timedOut { return "killed after its timeout (\(exit), ran \(seconds) s)" }
            switch exit {
            case .exited(let code): return "exit status \(code) after \(seconds) s"
            case .signaled(let signal): return "ended by signal \(signal) after \(seconds) s"
            case .launchFailed(let reason): return "could not start: \(reason)"
            }
        }
    }

    /// Runs `command` with `environment` added to this process's own (less systemd's `NOTIFY_SOCKET` and
    /// watchdog variables) and `input` on its standard input; kills
    /// it after `timeout` (SIGTERM to its process group, SIGKILL `grace` later). Cancelling the task kills it too.
    public static func run(
        command: [String], environment: [String: String], input: [UInt8], timeout: Duration, grace: Duration = .seconds(2)
    ) async -> Outcome {
        let started = ContinuousClock.now
        func failed(_ reason: String) -> Outcome {
            Outcome(exit: .launchFailed(reason), timedOut: false, lines: [], droppedLines: 0, duration: ContinuousClock.now - started)
        }
        guard let program = command.first, let executable = SpawnLauncher.resolve(program: program) else {
            return failed("\(command.first ?? "(no program)") not found or not executable")
        }
        guard let inputDescriptor = Self.document(input) else {
            return failed("cannot create the temporary file for its standard input: \(String(cString: strerror(errno)))")
        }
        guard let (readEnd, writeEnd) = EventLoop.makePipe() else {
            close(inputDescriptor)
            return failed("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        let arguments = [executable] + command.dropFirst()
        // The daemon's own environment, without systemd's notification and watchdog variables (a hook must
        // not talk to systemd as the service), plus the event's.
        let childEnvironment = ProcessInfo.processInfo.environment
            .filter { !Self.withheldVariables.contains($0.key) }
            .merging(environment) { $1 }
        let spawned = await EventLoop.shared.perform {
            ChildProcess.spawn(
                path: executable, argv: arguments, output: writeEnd, parentDeathSignal: SIGKILL,
                environment: childEnvironment, input: inputDescriptor)
        }
        close(writeEnd)
        close(inputDescriptor)
        let child: ChildProcess
        switch spawned {
        case .failure(let reason):
            close(readEnd)
            return failed(reason.description)
        case .success(let started):
            child = started
        }
        let collected = SharedValue(Collected())
        let exit = await withTaskCancellationHandler {
            await withTaskGroup(of: Finished.self) { group in
                group.addTask {
                    for await line in ChildOutputPump.lines(of: readEnd, skipping: { _ in false }) {
                        let clean = String(TerminalText.sanitize(line).prefix(maximumLineLength))
                        collected.update { state in
                            if state.lines.count < maximumLines { state.lines.append(clean) } else { state.dropped += 1 }
                        }
                    }
                    return .output
                }
                group.addTask {
                    do {
                        try await EventLoop.shared.sleep(until: started + timeout)
                    } catch {
                        return .timer
                    }
                    collected.update { $0.timedOut = true }
                    child.terminate(grace: grace)
                    return .timer
                }
                let exit = await child.exit()
                // Output still in the pipe is read for a moment; a grandchild holding it open is not waited for.
                group.addTask {
                    try? await EventLoop.shared.sleep(until: ContinuousClock.now + .milliseconds(500))
                    return .drained
                }
                while let finished = await group.next(), finished == .timer {}
                group.cancelAll()
                return exit
            }
        } onCancel: {
            child.terminate(grace: grace)
        }
        let result = collected.value
        // A hook that exited 0 did its job, even when a stalled machine woke the timer as late as the exit.
        return Outcome(
            exit: exit, timedOut: result.timedOut && exit != .exited(0), lines: result.lines, droppedLines: result.dropped,
            duration: ContinuousClock.now - started)
    }

    /// Which of a run's tasks ended.
    private enum Finished: Sendable {
        case output, timer, drained
    }

    /// Variables of this process a hook does not inherit.
    static let withheldVariables: Set<String> = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]

    /// What a run's output and timer recorded.
    private struct Collected: Sendable {
        var lines: [String] = []
        var dropped = 0
        var timedOut = false
    }

    /// `memfd_create` (glibc 2.27+).
    private static let memfdCreate = LibraryFunction.named(
        "memfd_create", as: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)

    /// A descriptor positioned at the start of a private, unnamed file holding `bytes` (a memfd, else an
    /// unlinked temporary file); nil when neither can be made.
    private static func document(_ bytes: [UInt8]) -> Int32? {
        var descriptor: Int32 = -1
        if let memfdCreate {
            descriptor = memfdCreate("tunnel-tui-alert", 1)  // MFD_CLOEXEC
        }
        if descriptor < 0 {
            var template = Array("/tmp/tunnel-tui-alert.XXXXXX".utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return -1 }
                let made = mkstemp(base)
                if made >= 0 {
                    unlink(base)
                    _ = fcntl(made, F_SETFD, FD_CLOEXEC)
                }
                return made
            }
        }
        guard descriptor >= 0 else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                close(descriptor)
                return nil
            }
            offset += written
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
