import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Validates a config file in a child process (`tunnel-tui config check --quiet --config FILE`) before
/// the supervisor parses it, so that a parser crash or hang on a bad file cannot take the supervisor and
/// its tunnels down. The library does not assume it runs inside `tunnel-tui`: the executable sets
/// ``executable`` to its own path; tests point it at the built binary.
public struct IsolatedConfigCheck: Sendable {
    /// The `tunnel-tui` binary that runs `config check`.
    public var executable: String
    /// How long the child may take before it counts as hung and is killed.
    public var timeout: Duration
    /// Runs the child.
    public var launcher: any ChildLauncher

    /// Creates a check that runs `executable config check`.
    public init(executable: String, timeout: Duration = .seconds(30), launcher: any ChildLauncher = SpawnLauncher(terminationGrace: .seconds(1))) {
        self.executable = executable
        self.timeout = timeout
        self.launcher = launcher
    }

    /// The running binary's own path (`/proc/self/exe` resolved), for the executable to pass here.
    public static var currentExecutable: String? {
        ProcFile.link("/proc/self/exe")
    }

    /// Checks `text` (the file's content, read once by the caller) as the file at `path`; nil when the
    /// child found it valid, else the reason to show, every line sanitised.
    public func problems(text: String, path: String) async -> String? {
        // The child checks a private copy of exactly the text the supervisor will parse next.
        var template = Array((FileManager.default.temporaryDirectory.path + "/tunnel-tui-check-XXXXXX.toml").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
        guard descriptor >= 0 else {
            return "cannot check \(path) in a child process: cannot create a temporary file: \(String(cString: strerror(errno))); nothing changed"
        }
        let copy = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(copy) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count else {
            return "cannot check \(path) in a child process: cannot write \(copy); nothing changed"
        }

        let lines = SharedValue<[String]>([])
        let launcher = self.launcher
        let executable = self.executable
        let exit: ChildExit? = await withTaskGroup(of: ChildExit?.self) { group in
            group.addTask {
                await launcher.run(program: executable, arguments: ["config", "check", "--quiet", "--config", copy]) { output in
                    guard case .line(let line) = output else { return }
                    lines.update { if $0.count < 50 { $0.append(line) } }
                }
            }
            group.addTask { [timeout] in
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let shown = lines.value.map {
            TerminalText.sanitize($0.replacing(copy, with: path))
        }
        let command = "run tunnel-tui config check --config \(path)"
        switch exit {
        case .exited(0):
            return nil
        case .exited(1):
            return shown.isEmpty ? "the config check of \(path) failed without saying why; nothing changed; \(command)" : shown.joined(separator: "\n")
        case .exited(let status):
            return "the config check of \(path) failed with status \(status); nothing changed; \(command)"
                + (shown.isEmpty ? "" : "\n" + shown.joined(separator: "\n"))
        case .signaled(let signal):
            return "the config parser crashed on \(path) (signal \(signal)); nothing changed; \(command)"
        case .launchFailed(let reason):
            return "cannot check \(path) in a child process (\(executable) \(reason)); nothing changed"
        case nil:
            return "the config check of \(path) did not finish within \(DurationParser.format(timeout)) (a parser hang?); "
                + "nothing changed; \(command)"
        }
    }
}
