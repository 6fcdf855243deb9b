import Foundation
import Subprocess
import SystemPackage

/// Spawns children with swift-subprocess: own session (no controlling tty, so Ctrl-C in the dashboard does
/// not reach ssh), stdout and stderr streamed line by line, SIGTERM then SIGKILL on cancellation.
///
/// On Linux each child is wrapped in `setpriv --pdeathsig KILL` when available, so an `ssh -R` dies with
/// the supervisor even if the supervisor is SIGKILLed (an orphan would keep holding the remote port).
/// swift-subprocess spawns from one long-lived worker thread, which is what the kernel ties the
/// parent-death signal to.
public struct SubprocessLauncher: ChildLauncher {
    /// Time between SIGTERM and SIGKILL.
    public var terminationGrace: Duration
    /// Path of setpriv, or nil to spawn directly.
    public var parentDeathWrapper: String?

    /// Creates a launcher; finds setpriv on the usual paths.
    public init(terminationGrace: Duration = .seconds(2)) {
        self.terminationGrace = terminationGrace
        self.parentDeathWrapper = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
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

    /// Runs the child; see ``ChildLauncher/run(program:arguments:onOutput:)``.
    public func run(program: String, arguments: [String], onOutput: @escaping @Sendable (ChildOutput) async -> Void) async -> ChildExit {
        guard let executable = Self.resolve(program: program) else {
            return .launchFailed("\(program) not found or not executable")
        }
        let (path, argv) = parentDeathWrapper.map { ($0, ["--pdeathsig", "KILL", "--", executable] + arguments) }
            ?? (executable, arguments)
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        do {
            let result = try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(argv), platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                await onOutput(.started(pid: execution.processIdentifier.value))
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await line in execution.standardOutput.strings() {
                                await onOutput(.line(Self.trimmed(line)))
                            }
                        } catch {}
                    }
                    group.addTask {
                        do {
                            for try await line in execution.standardError.strings() {
                                await onOutput(.line(Self.trimmed(line)))
                            }
                        } catch {}
                    }
                }
            }
            switch result.terminationStatus {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            }
        } catch {
            return .launchFailed("\(error)")
        }
    }

    private static func trimmed(_ line: String) -> String {
        var text = Substring(line)
        while let last = text.last, last == "\n" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
