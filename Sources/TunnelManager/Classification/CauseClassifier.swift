/// Turns what ssh prints and how it exits into a ``FailureCause``.
public enum CauseClassifier {
    /// The cause a single line of ssh's output reveals, if any.
    public static func classify(line: String) -> FailureCause? {
        let text = line.lowercased()
        if text.contains("remote host identification has changed") || text.contains("host key for") && text.contains("has changed") {
            return .hostKeyChanged
        }
        if text.contains("no ") && text.contains("host key is known for") || text.contains("host key is not known") {
            return .hostKeyUnknown
        }
        if text.contains("host key verification failed") { return .hostKeyVerificationFailed }
        if text.contains("permission denied (") || text.contains("too many authentication failures") {
            return .authenticationRefused
        }
        if let range = text.range(of: "remote port forwarding failed for listen port ") {
            let digits = text[range.upperBound...].prefix(while: \.isNumber)
            return .remotePortInUse(port: Int(digits) ?? 0)
        }
        if text.contains("bad configuration option") || text.contains("unsupported option")
            || text.contains("garbage at end of line") || text.contains("bad port forwarding specification")
            || text.contains("terminating, ") && text.contains("bad configuration") || text.contains("missing argument")
            || text.contains("unknown option") || text.contains("illegal option") {
            return .badSSHOption(line.trimmingCharacters(in: .whitespaces))
        }
        if text.hasPrefix("debug") { return nil }
        if text.contains("could not resolve hostname") || text.contains("name or service not known")
            || text.contains("temporary failure in name resolution") {
            return .hostNotResolved
        }
        if text.contains("connection refused") { return .connectionRefused }
        if text.contains("connection timed out") || text.contains("operation timed out") { return .timedOut }
        if text.contains("network is unreachable") || text.contains("no route to host") { return .networkUnreachable }
        if text.hasPrefix("timeout, server") && text.contains("not responding") { return .keepaliveTimeout }
        if text.contains("closed by remote host") || text.hasPrefix("connection closed by")
            || text.contains("connection reset by") || text.contains("broken pipe") {
            return .connectionClosed
        }
        if let range = text.range(of: "connect_to ") , text.contains(": failed") {
            let target = text[range.upperBound...].replacingOccurrences(of: ": failed.", with: "")
                .replacingOccurrences(of: " port ", with: ":")
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

import Foundation
