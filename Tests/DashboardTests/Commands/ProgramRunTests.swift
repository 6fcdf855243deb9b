import Testing
@testable import tunnel_tui

#if canImport(Glibc)
import Glibc
#endif

/// `init`'s programs (ssh-keygen, setpriv, mkdir) run with posix_spawn: input in, outputs apart, a clean
/// signal mask.
@Suite("init's program runs")
struct ProgramRunTests {
    @Test("standard input reaches the program, its two outputs come back apart, and its status is kept")
    func inputAndOutputs() {
        let run = ProgramRun.run("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], input: "ssh-ed25519 AAAA key\n")
        #expect(run.status == 3)
        #expect(run.output == "ssh-ed25519 AAAA key\n")
        #expect(run.error == "oops\n")
    }

    @Test("the program does not inherit the command's blocked SIGINT, SIGTERM and SIGHUP")
    func cleanSignalMask() {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let run = ProgramRun.run("/bin/sh", ["-c", "grep SigBlk /proc/self/status"])
        #expect(run.status == 0)
        #expect(run.output.trimmingWhitespace() == "SigBlk:\t0000000000000000", "\(run.output)")
    }

    @Test("a program that cannot be started is status 127 with the reason")
    func missing() {
        let run = ProgramRun.run("/nonexistent/program", [])
        #expect(run.status == 127)
        #expect(run.error.contains("/nonexistent/program"))
    }
}
