#ifndef TUNNEL_TUI_CSPAWN_H
#define TUNNEL_TUI_CSPAWN_H

#include <sys/types.h>

/// The errno value a child reports, instead of running its program, when its parent was no longer
/// `expected_parent` once the parent-death signal was set: the supervisor died while it was spawning.
#define TT_SPAWN_PARENT_GONE 0x7fff

/// Forks and runs `path` with `argv` and `envp` (both NULL-terminated): the child leads a new session, has
/// every signal back to its default and unblocked, reads /dev/null, writes stdout and stderr to `output_fd`,
/// and holds no other descriptor. Before it runs the program it sets `parent_death_signal` (0: none) with
/// PR_SET_PDEATHSIG and then checks that its parent is still `expected_parent`; if the parent died before
/// the signal was set, it exits instead of running the program (no orphan can outlive a supervisor).
///
/// Only async-signal-safe calls run between fork and exec. Returns the child's pid, or a negative errno
/// when fork or exec failed (exec failures come back through a close-on-exec pipe; the child is reaped).
pid_t tt_spawn(const char *path, char *const argv[], char *const envp[], int output_fd,
               int parent_death_signal, pid_t expected_parent);

/// As `tt_spawn`, but the child reads `input_fd` (its standard input; -1: /dev/null) instead of /dev/null.
pid_t tt_spawn_with_input(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd,
                          int parent_death_signal, pid_t expected_parent);

#endif
