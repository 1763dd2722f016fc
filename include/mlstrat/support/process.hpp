#pragma once
/// Running another program: the demo runs mlstrat's commands as a user would type them, and the
/// tests run the executable they check. Standard input is /dev/null; standard output and error go
/// to files or are captured.
///
///     process::Command c{"mlstrat", {"eval", "pred.csv", "--json"}};
///     process::Outcome o = process::run(c);
///     if (o.exit_code == 0) std::cout << o.out;

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace mlstrat::process {

/// What to start, where, and where its output goes.
struct Command {
    /// A path, or a name looked up on PATH when it holds no '/'.
    std::string program;
    /// The arguments after argv[0].
    std::vector<std::string> args;
    /// argv[0]; empty: `program`.
    std::string argv0;
    /// The working directory; empty: the caller's.
    std::string dir;
    /// Files standard output and error are written to (created or truncated; a relative path is
    /// the caller's, not `dir`'s); empty: `run` captures them, `spawn` leaves them to the caller's.
    std::string stdout_path, stderr_path;
};

/// How a finished program ended.
struct Outcome {
    /// Its exit code, 128 + the signal that ended it, or -1 when it could not be started.
    int exit_code = -1;
    /// What it printed, when captured.
    std::string out, err;
};

/// Starts `command` without waiting; its pid, or -1 when it cannot be started.
pid_t spawn(const Command& command);

/// Waits for `pid`: its exit code, 128 + the signal that ended it, or -1 when it is not a child.
int wait_exit_code(pid_t pid);

/// Runs `command` to completion, capturing the output that has no file. While it runs, `tick`
/// (when given) is called at least every `tick_ms` milliseconds.
Outcome run(const Command& command, const std::function<void()>& tick = {}, int tick_ms = 250);

}  // namespace mlstrat::process
