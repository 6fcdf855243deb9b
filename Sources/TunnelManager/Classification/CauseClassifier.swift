import FoundationEssentials

/// Turns what ssh prints and how it exits into a ``FailureCause``.
public enum CauseClassifier {
    /// The cause a single line of ssh's output reveals, if any.
    public static func classify(line: String) -> FailureCause? {
        let text = line.lowercased()
        if text.includes("remote host identification has changed") || text.includes("host key for") && text.includes("has changed") {
            return .hostKeyChanged
        }
        if text.includes("no ") && text.includes("host key is known for") || text.includes("host key is not known") {
            return .hostKeyUnknown
        }
        if text.includes("host key verification failed") { return .hostKeyVerificationFailed }
        if text.includes("permission denied (") || text.includes("too many authentication failures") {
            return .authenticationRefused
        }
        if text.includes("remote port forwarding failed for listen port "),
           let range = text.firstRange(of: "remote port forwarding failed for listen port ") {
            let digits = text[range.upperBound...].prefix(while: \.isNumber)
            return .remotePortInUse(port: Int(digits) ?? 0)
        }
        if text.includes("bad configuration option") || text.includes("unsupported option")
            || text.includes("garbage at end of line") || text.includes("bad port forwarding specification")
            || text.includes("terminating, ") && text.includes("bad configuration") || text.includes("missing argument")
            || text.includes("unknown option") || text.includes("illegal option") {
            return .badSSHOption(line.trimmingWhitespace())
        }
        if text.hasPrefix("debug") { return nil }
        // dash, bash and zsh saying the shell found no `hold`: the key has no tunnel-tui-reclaim forced command.
        if text.includes("hold: not found") || text.includes("hold: command not found") || text.includes("command not found: hold") {
            return .reclaimScriptMissing
        }
        if text.includes("could not resolve hostname") || text.includes("name or service not known")
            || text.includes("temporary failure in name resolution") {
            return .hostNotResolved
        }
        if text.includes("connection refused") { return .connectionRefused }
        if text.includes("connection timed out") || text.includes("operation timed out") { return .timedOut }
        if text.includes("network is unreachable") || text.includes("no route to host") { return .networkUnreachable }
        if text.hasPrefix("timeout, server") && text.includes("not responding") { return .keepaliveTimeout }
        if text.includes("closed by remote host") || text.hasPrefix("connection closed by")
            || text.includes("connection reset by") || text.includes("broken pipe") {
            return .connectionClosed
        }
        if text.includes("connect_to "), text.includes(": failed"), let range = text.firstRange(of: "connect_to ") {
            let target = text[range.upperBound...].replacing(": failed.", with: "").replacing(" port ", with: ":")
            return .localServiceDown(String(target))
        }
        return nil
    }

    /// How strongly a cause explains an exit: when ssh prints several, the strongest wins.
    static func rank(_ cause: FailureCause) -> Int {
        if cause.needsUser { return 100 }
        switch cause {
        case .remotePortInUse: return 90
        case .hostNotResolved, .networkUnreachable, .connectionRefused, .timedOut: return 80
        case .keepaliveTimeout: return 70
        case .connectionClosed: return 60
        default: return 0
        }
    }

    /// The cause of an exit: the strongest cause seen in the child's output, else the exit status in words.
    public static func cause(of exit: ChildExit, seen: FailureCause?) -> FailureCause {
        if let seen { return seen }
        switch exit {
        case .exited(let code) where code == 255:
            return .connectionClosed
        case .exited(let code):
            return .exited("ssh exited with status \(code)")
        case .signaled(let signal):
            return .exited("ssh killed by signal \(signal)")
        case .launchFailed(let reason):
            return .sshMissing(reason)
        }
    }
}
