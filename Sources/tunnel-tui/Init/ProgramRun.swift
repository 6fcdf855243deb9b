#if canImport(Glibc)
import Glibc
#endif

/// A short-lived program run to its end, for `init` (ssh-keygen, setpriv, mkdir): argv as an array (never a
/// shell), optional text on its standard input, its standard output and error collected apart.
struct ProgramRun {
    /// The exit status (128 + the signal for a program killed by one; 127 when it could not be started).
    let status: Int32
    /// What it wrote to standard output.
    let output: String
    /// What it wrote to standard error, or why it could not be started.
    let error: String

    /// Runs `path` with `arguments` and waits for it; `input` (if any) is written to its standard input, which
    /// is otherwise /dev/null.
    static func run(_ path: String, _ arguments: [String], input: String? = nil) -> ProgramRun {
        var inputPipe: [Int32] = [-1, -1], outputPipe: [Int32] = [-1, -1], errorPipe: [Int32] = [-1, -1]
        guard Self.makePipe(&inputPipe), Self.makePipe(&outputPipe), Self.makePipe(&errorPipe) else {
            return ProgramRun(status: 127, output: "", error: "\(path): cannot make pipes: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        // The command's threads block SIGINT, SIGTERM and SIGHUP (main.swift); the program gets a clean mask and
        // default actions, as from a shell.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        for descriptor in [inputPipe[0], outputPipe[1], errorPipe[1]] { close(descriptor) }
        guard spawned == 0 else {
            for descriptor in [inputPipe[1], outputPipe[0], errorPipe[0]] { close(descriptor) }
            return ProgramRun(status: 127, output: "", error: "\(path): \(String(cString: strerror(spawned)))")
        }
        if let input {
            // Small inputs (key lines): the pipe's buffer takes them whole; a program that does not read its
            // input gets EPIPE here instead of a signal (SIGPIPE is ignored by the daemon and harmless here).
            var bytes = Array(input.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { write(inputPipe[1], $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                bytes = bytes.dropFirst(written)
            }
        }
        close(inputPipe[1])
        let (output, error) = readBoth(outputPipe[0], errorPipe[0])
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return ProgramRun(status: status, output: output, error: error)
    }

    /// A pipe whose ends are closed on exec (only the ends dup'ed onto 0-2 reach the program).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Reads two descriptors to their ends at once (poll), so a program filling one pipe cannot block on it
    /// while the other is read; closes both.
    private static func readBoth(_ first: Int32, _ second: Int32) -> (String, String) {
        var collected: [[UInt8]] = [[], []]
        var open = [first, second]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open.contains(where: { $0 >= 0 }) {
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&polled, nfds_t(polled.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in polled.indices where open[index] >= 0 && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(open[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[index] += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    close(open[index])
                    open[index] = -1
                }
            }
        }
        for descriptor in open where descriptor >= 0 { close(descriptor) }
        return (String(decoding: collected[0], as: UTF8.self), String(decoding: collected[1], as: UTF8.self))
    }
}
