#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/// Reports `error` to the parent through `report_fd` and exits; async-signal-safe.
static void fail(int report_fd, int error) {
    ssize_t ignored = write(report_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

/// Closes every descriptor from `first` on: close_range (Linux 5.9+), else one by one up to `limit`
/// (read before fork: sysconf is not async-signal-safe).
static void close_from(int first, long limit) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
    for (long fd = first; fd < limit; fd++) close((int)fd);
}

/// Runs in the child, between fork and exec.
static void become(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd,
                   int report_fd, int parent_death_signal, pid_t expected_parent, long descriptor_limit) {
    // Move the descriptors out of the way of 0-3 before rearranging.
    int output = fcntl(output_fd, F_DUPFD, 10);
    int report = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
    if (output < 0 || report < 0) fail(report >= 0 ? report : report_fd, errno);
    int input = -1;
    if (input_fd >= 0) {
        input = fcntl(input_fd, F_DUPFD, 10);
        if (input < 0) fail(report, errno);
    }

    if (setsid() < 0) fail(report, errno);
    struct sigaction default_action = {0};
    default_action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
        sigaction(signal_number, &default_action, NULL);  // fails harmlessly for glibc's internal signals
    }
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) fail(report, errno);

    int null = input >= 0 ? input : open("/dev/null", O_RDONLY);
    if (null < 0) fail(report, errno);
    if (dup2(null, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0) fail(report, errno);
    if (dup3(report, 3, O_CLOEXEC) < 0) fail(report, errno);
    close_from(4, descriptor_limit);
    report = 3;

    if (parent_death_signal != 0) {
        if (prctl(PR_SET_PDEATHSIG, parent_death_signal) < 0) fail(report, errno);
        // The parent may have died before the signal was set: then nobody would ever send it.
        if (getppid() != expected_parent) fail(report, TT_SPAWN_PARENT_GONE);
    }
    execve(path, argv, envp);
    fail(report, errno);
}

pid_t tt_spawn(const char *path, char *const argv[], char *const envp[], int output_fd,
               int parent_death_signal, pid_t expected_parent) {
    return tt_spawn_with_input(path, argv, envp, -1, output_fd, parent_death_signal, expected_parent);
}

pid_t tt_spawn_with_input(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd,
                          int parent_death_signal, pid_t expected_parent) {
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit <= 0) limit = 65536;
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int error = errno;
        close(report[0]);
        close(report[1]);
        return -error;
    }
    if (pid == 0) {
        close(report[0]);
        become(path, argv, envp, input_fd, output_fd, report[1], parent_death_signal, expected_parent, limit);
    }
    close(report[1]);
    int error = 0;
    ssize_t count;
    do {
        count = read(report[0], &error, sizeof error);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -error;
    }
    return pid;
}
