import Testing
@testable import TunnelManager

@Suite("classification: ssh output to causes")
struct CauseClassifierTests {
    @Test("each ssh message maps to its cause", arguments: [
        ("tunnel@vps: Permission denied (publickey).", FailureCause.authenticationRefused),
        ("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @", .hostKeyChanged),
        ("No ED25519 host key is known for [127.0.0.1]:2200 and you have requested strict checking.", .hostKeyUnknown),
        ("Host key verification failed.", .hostKeyVerificationFailed),
        ("command-line line 0: Bad configuration option: fooo", .badSSHOption("command-line line 0: Bad configuration option: fooo")),
        ("ssh: connect to host vps port 22: Connection refused", .connectionRefused),
        ("ssh: connect to host 10.0.0.1 port 22: Connection timed out", .timedOut),
        ("ssh: Could not resolve hostname vps.invalid: Name or service not known", .hostNotResolved),
        ("ssh: connect to host 10.0.0.1 port 22: Network is unreachable", .networkUnreachable),
        ("ssh: connect to host 10.0.0.1 port 22: No route to host", .networkUnreachable),
        ("Error: remote port forwarding failed for listen port 2222", .remotePortInUse(port: 2222)),
        ("Connection to vps closed by remote host.", .connectionClosed),
        ("Connection closed by 127.0.0.1 port 22", .connectionClosed),
        ("Timeout, server vps not responding.", .keepaliveTimeout),
        ("connect_to localhost port 8080: failed.", .localServiceDown("localhost:8080")),
        ("sh: 1: hold: not found", .reclaimScriptMissing),
        ("bash: line 1: hold: command not found", .reclaimScriptMissing),
        ("zsh:1: command not found: hold", .reclaimScriptMissing),
    ])
    func classify(line: String, cause: FailureCause) {
        #expect(CauseClassifier.classify(line: line) == cause)
    }

    @Test("ordinary lines are not causes")
    func ordinary() {
        #expect(CauseClassifier.classify(line: "debug1: Connecting to vps [10.0.0.1] port 22.") == nil)
        #expect(CauseClassifier.classify(line: "Authenticated to vps ([10.0.0.1]:22) using \"publickey\".") == nil)
    }

    @Test("without a message, the exit status is put in words")
    func exitOnly() {
        #expect(CauseClassifier.cause(of: .exited(255), seen: nil) == .connectionClosed)
        #expect(CauseClassifier.cause(of: .signaled(9), seen: nil) == .exited("ssh killed by signal 9"))
        #expect(CauseClassifier.cause(of: .exited(1), seen: .connectionRefused) == .connectionRefused)
    }

    @Test("causes that need the user are marked and carry a hint")
    func needsUserAndHints() {
        #expect(FailureCause.authenticationRefused.needsUser)
        #expect(!FailureCause.remotePortInUse(port: 1).needsUser)
        #expect(FailureCause.remotePortInUse(port: 1).hint?.contains("ClientAliveInterval") == true)
        #expect(FailureCause.hostKeyUnknown.hint?.contains("accept-new") == true)
        #expect(FailureCause.reclaimScriptMissing.needsUser, "retrying cannot help until the script is installed or the key is off")
        #expect(FailureCause.reclaimScriptMissing.hint == "the server has no tunnel-tui-reclaim for this key: install it (tunnel-tui server-setup) or set reclaim_script = false")
    }
}
